import { spawnSync } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  chmodSync,
  readdirSync,
  lstatSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/diagnostics.js';
import { detectCompression, looksLikeTar } from '../../src/context/archive.js';
import { BuildContext } from '../../src/context/context.js';
import { planCopy, type CopyOptions } from '../../src/context/copy.js';
import { idLookupFromFiles, parseChmod, parseChown } from '../../src/context/ids.js';
import { DockerEngine } from '../../src/engine/docker/client.js';
import { TarSnapshotFs } from '../../src/snapshot/tar-fs.js';
import { LABEL_BUILD } from '../../src/engine/types.js';
import { buildLabel, cleanup, describeEngine, docker, testBuildId } from '../engine/helpers.js';

const MTIME = 1_600_000_000;

/** A context that exercises COPY's corners: modes, hidden files, empty dirs, links, archives. */
function makeContext(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-copy-'));
  const file = (p: string, content: string, mode = 0o644) => {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), content);
    chmodSync(path.join(dir, p), mode);
  };
  file('a.txt', 'a\n');
  file('b.sh', '#!/bin/sh\necho b\n', 0o755);
  file('c.txt', 'c\n', 0o600);
  file('.hidden', 'h\n', 0o640);
  file('.hiddendir/x', 'x\n');
  file('suid.bin', 'suid\n', 0o4755);
  file('dir/one.txt', 'one\n');
  file('dir/sub/two.txt', 'two\n');
  chmodSync(path.join(dir, 'dir/sub'), 0o700);
  chmodSync(path.join(dir, 'dir'), 0o750);
  mkdirSync(path.join(dir, 'dir/empty'));
  symlinkSync('one.txt', path.join(dir, 'dir/link'));
  symlinkSync('/etc/passwd', path.join(dir, 'dir/abs-link'));
  linkSync(path.join(dir, 'dir/one.txt'), path.join(dir, 'dir/hard'));
  file('dir2/three.txt', 'three\n');
  mkdirSync(path.join(dir, 'emptydir'));
  symlinkSync('a.txt', path.join(dir, 'link-to-file'));
  symlinkSync('dir', path.join(dir, 'link-to-dir'));
  file('dir with space/f.txt', 'space\n');
  // Archives from a payload owned by 1234:5678, in every compression ADD recognises.
  const payload = mkdtempSync(path.join(os.tmpdir(), 'scannable-payload-'));
  mkdirSync(path.join(payload, 'pkg/bin'), { recursive: true });
  writeFileSync(path.join(payload, 'pkg/bin/tool'), '#!/bin/sh\n');
  chmodSync(path.join(payload, 'pkg/bin/tool'), 0o755);
  writeFileSync(path.join(payload, 'pkg/README'), 'readme\n');
  symlinkSync('bin/tool', path.join(payload, 'pkg/tool-link'));
  const tarArgs = ['-C', payload, '--owner=1234', '--group=5678', '--numeric-owner', '--mtime=@1500000000', '-cf'];
  spawnSync('tar', [...tarArgs, path.join(dir, 'arch.tar'), 'pkg']);
  spawnSync('tar', [...tarArgs, path.join(dir, 'arch.tar.gz'), '-z', 'pkg']);
  spawnSync('tar', [...tarArgs, path.join(dir, 'arch.tar.xz'), '-J', 'pkg']);
  spawnSync('tar', [...tarArgs, path.join(dir, 'arch.tar.bz2'), '-j', 'pkg']);
  spawnSync('sh', ['-c', `printf 'not a tar\\n' | gzip -n > ${dir}/notatar.gz`]);
  rmSync(payload, { recursive: true, force: true });
  // Fixed mtimes, so the comparison can include them.
  const touch = (p: string) => {
    for (const name of readdirSync(p)) {
      const full = path.join(p, name);
      const st = lstatSync(full);
      if (st.isDirectory()) touch(full);
      if (!st.isSymbolicLink()) utimesSync(full, MTIME, MTIME);
    }
  };
  touch(dir);
  return dir;
}

interface Case {
  name: string;
  /** Dockerfile lines after FROM. */
  lines: string[];
  copy: CopyOptions;
  /** BuildKit for what the classic builder cannot do (--chmod, sources with ".."). */
  buildkit?: boolean;
}

const C = (sources: string[], dest: string, extra: Partial<CopyOptions> = {}): CopyOptions => ({
  sources,
  dest,
  ...extra,
});

const CASES: Case[] = [
  { name: 'file into a new dir', lines: ['COPY a.txt /out/'], copy: C(['a.txt'], '/out/') },
  { name: 'file renamed, no slash', lines: ['COPY a.txt /out/renamed.txt'], copy: C(['a.txt'], '/out/renamed.txt') },
  { name: 'file into an existing dir without slash', lines: ['COPY a.txt /tmp'], copy: C(['a.txt'], '/tmp') },
  { name: 'two sources', lines: ['COPY a.txt b.sh /out/'], copy: C(['a.txt', 'b.sh'], '/out/') },
  { name: 'wildcard', lines: ['COPY *.txt /out/'], copy: C(['*.txt'], '/out/') },
  { name: 'wildcard matching dirs merges their contents', lines: ['COPY dir* /out/'], copy: C(['dir*'], '/out/') },
  { name: 'class and ? wildcards', lines: ['COPY [ab].* ?.txt /out/'], copy: C(['[ab].*', '?.txt'], '/out/') },
  { name: 'dir contents, dest without slash', lines: ['COPY dir /out/dir'], copy: C(['dir'], '/out/dir') },
  { name: 'dir into an existing dir', lines: ['COPY dir/ /tmp/'], copy: C(['dir/'], '/tmp/') },
  { name: 'whole context', lines: ['COPY . /ctx/'], copy: C(['.'], '/ctx/') },
  { name: 'hidden files by wildcard', lines: ['COPY .hidden* /out/h/'], copy: C(['.hidden*'], '/out/h/') },
  { name: 'empty dir', lines: ['COPY emptydir /out/e/'], copy: C(['emptydir'], '/out/e/') },
  { name: 'dir and file together', lines: ['COPY dir a.txt /out/m/'], copy: C(['dir', 'a.txt'], '/out/m/') },
  {
    name: 'numeric chown of a dir',
    lines: ['COPY --chown=65534:65534 dir /out/owned/'],
    copy: C(['dir'], '/out/owned/', { chown: '65534:65534' }),
  },
  {
    name: 'named chown of a file, parents created',
    lines: ['COPY --chown=nobody:nogroup a.txt /out/deep/er/x.txt'],
    copy: C(['a.txt'], '/out/deep/er/x.txt', { chown: 'nobody:nogroup' }),
  },
  { name: 'symlink to a file as the source', lines: ['COPY link-to-file /out/'], copy: C(['link-to-file'], '/out/') },
  {
    name: 'symlink to a dir as the source',
    lines: ['COPY link-to-dir /out/ld/'],
    copy: C(['link-to-dir'], '/out/ld/'),
  },
  {
    name: 'relative dest under WORKDIR',
    lines: ['WORKDIR /w', 'COPY a.txt rel/'],
    copy: C(['a.txt'], 'rel/', { workdir: '/w' }),
  },
  { name: 'dot dest under WORKDIR', lines: ['WORKDIR /w', 'COPY c.txt .'], copy: C(['c.txt'], '.', { workdir: '/w' }) },
  {
    name: 'json form with spaces',
    lines: ['COPY ["dir with space", "/out/sp/"]'],
    copy: C(['dir with space'], '/out/sp/'),
  },
  { name: 'ADD gzip tar', lines: ['ADD arch.tar.gz /out/x/'], copy: C(['arch.tar.gz'], '/out/x/', { add: true }) },
  {
    name: 'ADD xz tar, dest without slash',
    lines: ['ADD arch.tar.xz /out/y'],
    copy: C(['arch.tar.xz'], '/out/y', { add: true }),
  },
  { name: 'ADD bzip2 tar', lines: ['ADD arch.tar.bz2 /out/z/'], copy: C(['arch.tar.bz2'], '/out/z/', { add: true }) },
  {
    name: 'ADD plain tar into an existing dir',
    lines: ['ADD arch.tar /tmp/'],
    copy: C(['arch.tar'], '/tmp/', { add: true }),
  },
  {
    name: 'ADD gzip that is not a tar',
    lines: ['ADD notatar.gz /out/'],
    copy: C(['notatar.gz'], '/out/', { add: true }),
  },
  { name: 'COPY never extracts', lines: ['COPY arch.tar.gz /out/'], copy: C(['arch.tar.gz'], '/out/') },
  {
    name: '--chmod (BuildKit)',
    lines: ['COPY --chmod=0640 a.txt b.sh /out/'],
    copy: C(['a.txt', 'b.sh'], '/out/', { chmod: '0640' }),
    buildkit: true,
  },
  {
    name: '.. stays in the context (BuildKit)',
    lines: ['COPY ../a.txt /out/'],
    copy: C(['../a.txt'], '/out/'),
    buildkit: true,
  },
  // Where the two builders differ, the default follows BuildKit; the cases above run in `classic` mode.
  {
    name: 'symlink source keeps its name (BuildKit)',
    lines: ['COPY link-to-file /out/'],
    copy: C(['link-to-file'], '/out/'),
    buildkit: true,
  },
  { name: 'setuid kept (BuildKit)', lines: ['COPY suid.bin /out/'], copy: C(['suid.bin'], '/out/'), buildkit: true },
];

const NOISE = /^\/(etc\/(hosts|hostname|resolv\.conf|mtab)|\.dockerenv|dev|proc|sys)(\/|$)/;

/** path -> what both builders must agree on. Directory mtimes are creation times, so they are left out. */
function describeTree(fs: TarSnapshotFs, withMtime: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.entries()) {
    if (NOISE.test(e.path)) continue;
    const what =
      e.kind === 'file'
        ? `sha256:${fs.sha256(e.path)}`
        : e.kind === 'symlink'
          ? `-> ${e.linkTarget}`
          : e.kind === 'hardlink'
            ? `=> ${e.linkTarget}`
            : '';
    const mtime = withMtime && e.kind !== 'dir' && e.kind !== 'symlink' ? ` @${e.mtime}` : '';
    out[e.path] = `${e.kind} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${what}${mtime}`.trim();
  }
  return out;
}

describe('COPY planning without an engine', () => {
  let dir = '';
  beforeAll(() => {
    dir = makeContext();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses more than one source without a trailing slash, naming the rule', async () => {
    const ctx = BuildContext.open(dir);
    await expect(planCopy(ctx, C(['*.txt'], '/out'))).rejects.toThrow(
      /more than one source file, the destination must be a directory and end with a \//,
    );
  });
  it('reports a missing or excluded source like docker', async () => {
    const ctx = BuildContext.open(dir, { ignore: ['c.txt'] });
    await expect(planCopy(ctx, C(['c.txt'], '/out/'))).rejects.toThrow(
      /file not found in build context or excluded by \.dockerignore: stat c\.txt/,
    );
    await expect(planCopy(ctx, C(['nomatch*'], '/out/'))).rejects.toThrow(/no source files were specified/);
  });
  it('confines absolute sources, .. and symlinks to the context', async () => {
    const ctx = BuildContext.open(dir);
    const plan = await planCopy(ctx, C(['/a.txt', '../../b.sh', 'dir/../c.txt'], '/out/'));
    expect(plan.manifest.filter((m) => m.kind === 'file').map((m) => [m.dest, m.source])).toEqual([
      ['/out/a.txt', { kind: 'context', path: 'a.txt' }],
      ['/out/b.sh', { kind: 'context', path: 'b.sh' }],
      ['/out/c.txt', { kind: 'context', path: 'c.txt' }],
    ]);
    // dir/abs-link points at /etc/passwd: inside the context that is <context>/etc/passwd, which does not exist.
    await expect(planCopy(ctx, C(['dir/abs-link'], '/out/'))).rejects.toThrow(/file not found/);
  });
  it('--parents keeps the path below the context or a ./ pivot; --exclude drops matches', async () => {
    const ctx = BuildContext.open(dir);
    const plan = await planCopy(ctx, C(['dir/sub/two.txt', 'dir2/./three.txt', '*/one.txt'], '/p/', { parents: true }));
    expect(plan.manifest.filter((m) => m.kind === 'file').map((m) => m.dest)).toEqual([
      '/p/dir/sub/two.txt',
      '/p/three.txt',
      '/p/dir/one.txt',
    ]);
    const ex = await planCopy(ctx, C(['dir'], '/d/', { exclude: ['sub', '*.txt'] }));
    expect(ex.manifest.map((m) => m.dest).sort()).toEqual(['/d', '/d/abs-link', '/d/empty', '/d/hard', '/d/link']);
  });
  it('records sources, modes, owners and sha256 in the manifest, and which archive a file came from', async () => {
    const ctx = BuildContext.open(dir);
    const plan = await planCopy(ctx, C(['arch.tar.gz', 'b.sh'], '/opt/', { add: true, chown: '10:20' }));
    const tool = plan.manifest.find((m) => m.dest === '/opt/pkg/bin/tool')!;
    expect(tool).toMatchObject({
      kind: 'file',
      mode: 0o755,
      uid: 10,
      gid: 20,
      source: { kind: 'archive', archive: 'arch.tar.gz', member: 'pkg/bin/tool' },
    });
    expect(tool.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.manifest.find((m) => m.dest === '/opt/b.sh')).toMatchObject({
      mode: 0o755,
      uid: 10,
      gid: 20,
      source: { kind: 'context', path: 'b.sh' },
    });
  });
  it('chown and chmod forms', () => {
    const ids = idLookupFromFiles(
      'root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n',
      'root:x:0:\nstaff:x:50:\n',
    );
    expect(parseChown('app', ids)).toEqual({ uid: 1000, gid: 1001 });
    expect(parseChown('app:staff', ids)).toEqual({ uid: 1000, gid: 50 });
    expect(parseChown('42', ids)).toEqual({ uid: 42, gid: 42 });
    expect(parseChown('42:staff', ids)).toEqual({ uid: 42, gid: 50 });
    expect(() => parseChown('ghost', ids)).toThrow(UserError);
    expect(() => parseChown('a:b:c', ids)).toThrow(/expected user/);
    expect(parseChmod('0755')).toBe(0o755);
    expect(() => parseChmod('u+x')).toThrow(/octal/);
  });
  it('archive detection by content', () => {
    expect(detectCompression(Buffer.from([0x1f, 0x8b, 0x08, 0]))).toBe('gzip');
    expect(detectCompression(Buffer.from('BZh91AY'))).toBe('bzip2');
    expect(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBe('xz');
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(looksLikeTar(Buffer.alloc(1024))).toBe(false);
  });
  it('keeps FIFOs; copies a socket as an empty file (BuildKit) or leaves it out (classic), with a warning', async () => {
    const sockDir = mkdtempSync(path.join(os.tmpdir(), 'scannable-sock-'));
    try {
      spawnSync('mkfifo', [path.join(sockDir, 'pipe')]);
      const py = spawnSync('python3', [
        '-c',
        `import socket;s=socket.socket(socket.AF_UNIX);s.bind('${sockDir}/sock')`,
      ]);
      const ctx = BuildContext.open(sockDir);
      expect(ctx.entries().map((e) => [e.path, e.kind])).toEqual(
        py.status === 0
          ? [
              ['pipe', 'fifo'],
              ['sock', 'socket'],
            ]
          : [['pipe', 'fifo']],
      );
      if (py.status === 0) {
        const bk = await planCopy(ctx, C(['.'], '/o/'));
        expect(bk.manifest.filter((m) => m.dest !== '/o').map((m) => [m.dest, m.kind, m.size])).toEqual([
          ['/o/pipe', 'fifo', 0],
          ['/o/sock', 'file', 0],
        ]);
        expect(bk.warnings).toEqual(['sock: a socket; copied as an empty file, as BuildKit does']);
        const classic = await planCopy(ctx, C(['.'], '/o/', { classic: true }));
        expect(classic.manifest.map((m) => m.dest)).not.toContain('/o/sock');
        expect(classic.warnings).toEqual(["sock: a socket; left out, as docker's legacy builder does"]);
      }
    } finally {
      rmSync(sockDir, { recursive: true, force: true });
    }
  });
});

describeEngine('COPY/ADD against docker build', () => {
  const engine = new DockerEngine();
  const buildId = testBuildId('copy');
  let dir = '';
  let base = '';
  let baseFs: TarSnapshotFs;

  beforeAll(async () => {
    dir = makeContext();
    base = await engine.resolveImage('busybox:latest');
    baseFs = await TarSnapshotFs.fromStream(await engine.readImage(base, undefined, buildId));
  });
  afterAll(async () => {
    await cleanup(engine, buildId);
    baseFs?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES)('$name', async ({ lines, copy, buildkit }) => {
    const dockerfile = path.join(dir, 'Dockerfile');
    writeFileSync(dockerfile, ['FROM busybox:latest', ...lines, ''].join('\n'));
    // The engine's layer cache keys COPY on content, not mtime: a layer cached by an earlier run
    // would carry that run's mtime, so the Dockerfile gets the same fixed mtime as the context.
    utimesSync(dockerfile, MTIME, MTIME);
    const r = docker(['build', '-q', '--network', 'host', '--label', `${LABEL_BUILD}=${buildId}`, dir], {
      env: { DOCKER_BUILDKIT: buildkit ? '1' : '0' },
    });
    expect(r.status, r.stderr).toBe(0);
    const theirs = await TarSnapshotFs.fromStream(await engine.readImage(r.stdout.trim(), undefined, buildId));

    const ctx = BuildContext.open(dir);
    const passwd = baseFs.readFile('/etc/passwd')?.toString();
    const group = baseFs.readFile('/etc/group')?.toString();
    const plan = await planCopy(ctx, {
      ...copy,
      ids: idLookupFromFiles(passwd, group),
      image: baseFs,
      classic: !buildkit,
    });
    const c = await engine.createContainer({ image: base, buildId });
    await engine.putArchive(c.id, '/', plan.tar);
    const image = await engine.commit(c.id, { config: { Cmd: ['sh'] }, labels: buildLabel(buildId) });
    await engine.removeContainer(c.id);
    const ours = await TarSnapshotFs.fromStream(await engine.readImage(image, undefined, buildId));

    expect(describeTree(ours, !buildkit)).toEqual(describeTree(theirs, !buildkit));
    // The manifest describes what landed.
    for (const m of plan.manifest) {
      const st = ours.stat(m.dest);
      expect(st, m.dest).toMatchObject({ mode: m.mode, uid: m.uid, gid: m.gid });
      if (m.kind === 'file') expect(ours.sha256(m.dest), m.dest).toBe(m.sha256);
    }
    ours.close();
    theirs.close();
  });
});
