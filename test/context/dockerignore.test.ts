import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/diagnostics.js';
import { BuildContext } from '../../src/context/context.js';
import { PatternMatcher, goClean, parseDockerignore } from '../../src/context/dockerignore.js';
import { goMatch } from '../../src/context/go-match.js';
import { DockerEngine } from '../../src/engine/docker/client.js';
import { TarSnapshotFs } from '../../src/snapshot/tar-fs.js';
import { cleanup, describeEngine, docker, legacyBuild, testBuildId } from '../engine/helpers.js';

describe('Go filepath.Match', () => {
  it.each([
    ['*.txt', 'a.txt', true],
    ['*.txt', 'dir/a.txt', false],
    ['*/*.txt', 'dir/a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'dx', true],
    ['[^a-c]x', 'bx', false],
    ['[^a]', '/', true], // a class is not stopped by '/'
    ['x\\*', 'x*', true],
    ['x\\*', 'xy', false],
    ['a[', 'a', 'error'],
    ['a[]', 'a', 'error'],
    ['a\\', 'a', 'error'],
    ['[z-a]', 'q', false],
  ])('%s vs %s', (pattern, name, expected) => {
    if (expected === 'error') expect(() => goMatch(pattern, name)).toThrow(/syntax error in pattern/);
    else expect(goMatch(pattern, name)).toBe(expected);
  });
});

describe('.dockerignore reading', () => {
  it('drops comments and blanks, trims, cleans, strips a leading slash, keeps exceptions', () => {
    const text = '\uFEFF# comment\r\n  *.log  \n\n # not a comment\n!  /keep/./me.log\n/abs/../x/\n./docs/\n!\n/\n';
    expect(parseDockerignore(text)).toEqual(['*.log', '# not a comment', '!keep/me.log', 'x', 'docs', '!', '/']);
  });
  it('Go path.Clean', () => {
    expect(['', 'a/', 'a//b', './a', 'a/../..', '/..', '/a/../b/.'].map(goClean)).toEqual([
      '.',
      'a',
      'a/b',
      'a',
      '..',
      '/',
      '/b',
    ]);
  });
  it('a lone "!" and a malformed pattern are errors', () => {
    expect(() => new PatternMatcher(['!'])).toThrow(/illegal exclusion/);
    expect(() => new PatternMatcher(['a['])).toThrow(/syntax error/);
  });
  it('parent directories, later lines winning, ** forms', () => {
    const m = new PatternMatcher(['docs', '!docs/keep.md', '**/*.tmp', 'src/**', '**/cache']);
    expect(m.matches('docs/a.md')).toBe(true);
    expect(m.matches('docs/keep.md')).toBe(false);
    expect(m.matches('x/y/z.tmp')).toBe(true);
    expect(m.matches('z.tmp')).toBe(true);
    expect(m.matches('src')).toBe(false);
    expect(m.matches('src/a/b')).toBe(true);
    expect(m.matches('a/b/cache/x')).toBe(true);
    expect(m.mustDescend('docs')).toBe(true);
    expect(m.mustDescend('src')).toBe(false);
  });
});

/** The context every differential case builds; file names chosen to hit the corners. */
const TREE = [
  'a.txt',
  'b.md',
  'README.md',
  '.hidden',
  '.git/config',
  '.git/objects/ab/cdef',
  'src/main.go',
  'src/main_test.go',
  'src/util/helper.go',
  'src/util/helper_test.go',
  'src/vendor/lib/lib.go',
  'docs/guide.md',
  'docs/img/logo.png',
  'build/out.bin',
  'build/keep.txt',
  'node_modules/x/index.js',
  'deep/a/b/c/d.txt',
  'deep/a/b/c/keep',
  'dir with space/file.txt',
  'a+b.txt',
  'aab.txt',
  'x[1].txt',
  'x1.txt',
  'foo/bar/baz.log',
  'foo/top.log',
  'empty/',
];

interface Case {
  name: string;
  ignore: string;
  /** When current docker and docker 20.10 disagree: what current docker sends (the engine here checks the legacy answer). */
  current?: string[];
}

const CASES: Case[] = [
  { name: 'no .dockerignore', ignore: '' },
  { name: 'top-level wildcard', ignore: '*.md' },
  { name: 'any depth', ignore: '**/*.md' },
  { name: 'one level down', ignore: '*/*.go' },
  { name: 'test files anywhere', ignore: '**/*_test.go' },
  { name: 'dir with an exception inside', ignore: 'src\n!src/util' },
  { name: 'dir with a file exception', ignore: 'build\n!build/keep.txt' },
  { name: 'vcs and deps', ignore: '.git\nnode_modules\n.hidden' },
  { name: 'everything but src', ignore: '*\n!src' },
  { name: 'everything, ** form, with exceptions', ignore: '**\n!src/**\n!a.txt' },
  { name: 'comments and whitespace', ignore: '# *.txt\n   *.txt   \n\n  # b.md\n\t\n' },
  { name: 'leading slash and dot segments', ignore: '/src/util\n./docs\nfoo/../a.txt' },
  { name: 'character class', ignore: 'x[1].txt' },
  { name: 'escaped brackets', ignore: 'x\\[1\\].txt' },
  { name: 'trailing slash and ?', ignore: 'docs/\n?.txt' },
  { name: 'double star in the middle', ignore: 'foo/**/*.log' },
  { name: 'later lines win (exception first)', ignore: '!README.md\n*.md' },
  { name: 'later lines win (exception last)', ignore: '*.md\n!README.md' },
  { name: 'Dockerfile and .dockerignore excluded', ignore: 'Dockerfile\n.dockerignore\nb.md' },
  { name: 'directory with spaces', ignore: 'dir with space' },
  { name: 'prefix double star keeps the dir', ignore: 'src/**' },
  { name: 'exception in an excluded dir that does not start with it', ignore: 'deep\n!**/keep' },
  {
    name: 'regex characters in a pattern',
    ignore: 'a+b.txt',
    // docker 20.10 reads "+" as a regex operator (so a+b.txt excludes aab.txt); current docker escapes it.
    current: TREE.filter((p) => p !== 'a+b.txt'),
  },
  {
    name: 'a deep ** match with an exception below it',
    ignore: '**/c\n!deep/a/b/c/keep',
    // docker 20.10 checks one parent prefix only, so deep/a/b/c/d.txt slips through; current docker excludes it.
    current: TREE.filter((p) => p !== 'deep/a/b/c/d.txt'),
  },
];

/** Every path of the tree with its parent directories, the way COPY . lays them out. */
function withParents(paths: string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const parts = p.replace(/\/$/, '').split('/');
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('/'));
  }
  return [...out].sort();
}

function contextPaths(dir: string, legacy: boolean): string[] {
  return withParents(
    BuildContext.open(dir, { legacyIgnore: legacy })
      .entries()
      .map((e) => e.path),
  );
}

describeEngine('.dockerignore against the legacy builder', () => {
  const engine = new DockerEngine();
  const buildId = testBuildId('ignore');
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-ignore-'));
    for (const p of TREE) {
      if (p.endsWith('/')) mkdirSync(path.join(dir, p), { recursive: true });
      else {
        mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
        writeFileSync(path.join(dir, p), `${p}\n`);
      }
    }
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox:latest\nCOPY . /ctx\n');
  });
  afterAll(async () => {
    await cleanup(engine, buildId);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES)('$name', async ({ ignore, current }) => {
    rmSync(path.join(dir, '.dockerignore'), { force: true });
    if (ignore) writeFileSync(path.join(dir, '.dockerignore'), ignore);
    const image = legacyBuild(dir, buildId);
    const fs = await TarSnapshotFs.fromStream(await engine.readImage(image, '/ctx', buildId));
    const sent = [...fs.entries()]
      .map((e) => e.path)
      .filter((p) => p.startsWith('/ctx/'))
      .map((p) => p.slice('/ctx/'.length))
      .sort();
    fs.close();
    await engine.removeImage(image, { force: true });
    expect(contextPaths(dir, true)).toEqual(sent);
    const expectedNow = current
      ? withParents([...current, ...(ignore.includes('Dockerfile') ? [] : ['Dockerfile']), '.dockerignore'])
      : sent;
    expect(contextPaths(dir, false)).toEqual(expectedNow);
    // Where we claim the two dockers differ, the engine shows that they do.
    if (current) expect(sent).not.toEqual(expectedNow);
  });

  it('a malformed pattern fails the build in both', () => {
    writeFileSync(path.join(dir, '.dockerignore'), 'src/[\n');
    const r = docker(['build', '-q', '--network', 'host', dir], { env: { DOCKER_BUILDKIT: '0' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/syntax error in pattern/);
    expect(() => BuildContext.open(dir)).toThrow(UserError);
    expect(() => BuildContext.open(dir)).toThrow(/syntax error in pattern/);
  });
});

describe('the Dockerfile and .dockerignore', () => {
  it('are readable by the builder even when .dockerignore excludes them, and hidden from COPY', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-df-'));
    try {
      mkdirSync(path.join(dir, 'build'));
      writeFileSync(path.join(dir, 'build/Dockerfile'), 'FROM busybox\n');
      writeFileSync(path.join(dir, '.dockerignore'), 'build\n.dockerignore\n');
      writeFileSync(path.join(dir, 'app.txt'), 'x');
      const ctx = BuildContext.open(dir, { dockerfile: 'build/Dockerfile' });
      expect(ctx.readDockerfile()).toBe('FROM busybox\n');
      expect(ctx.entries().map((e) => e.path)).toEqual(['app.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
