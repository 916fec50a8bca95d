import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/diagnostics.js';
import { resolveEndpoint } from '../../src/engine/docker/endpoint.js';
import { DockerEngine, StdioDemuxer, cacheVolumeName, packTar } from '../../src/engine/docker/client.js';
import {
  EngineError,
  EngineUnreachableError,
  LABEL_BUILD,
  LABEL_OWNER,
  StepCanceledError,
  StepTimeoutError,
  type ImageConfig,
} from '../../src/engine/types.js';
import { TarSnapshotFs } from '../../src/snapshot/tar-fs.js';
import { buildLabel, cleanup, describeEngine, docker, testBuildId } from './helpers.js';

describe('resolveEndpoint', () => {
  it('defaults to the local socket', () => {
    const e = resolveEndpoint({});
    expect(e.url).toMatch(/^unix:\/\/.*docker\.sock$/);
    expect(e.source).toBe('default');
    expect(e.local).toBe(true);
  });
  it('reads unix:// and tcp:// from DOCKER_HOST', () => {
    expect(resolveEndpoint({ DOCKER_HOST: 'unix:///run/podman/podman.sock' }).options.socketPath).toBe(
      '/run/podman/podman.sock',
    );
    const tcp = resolveEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5' });
    expect(tcp.url).toBe('tcp://10.0.0.5:2375');
    expect(tcp.options).toMatchObject({ protocol: 'http', host: '10.0.0.5', port: '2375' });
    expect(tcp.local).toBe(false);
    expect(resolveEndpoint({ DOCKER_HOST: 'localhost:1234' }).url).toBe('tcp://localhost:1234');
  });
  it('uses TLS with DOCKER_TLS_VERIFY and refuses missing certificates clearly', () => {
    expect(() =>
      resolveEndpoint({ DOCKER_HOST: 'tcp://h', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent-certs' }),
    ).toThrow(/\/nonexistent-certs\/ca\.pem does not exist.*DOCKER_CERT_PATH/);
    const tls = resolveEndpoint({ DOCKER_HOST: 'tcp://h', DOCKER_TLS: '1', DOCKER_CERT_PATH: '/nonexistent-certs' });
    expect(tls.url).toBe('tcp://h:2376');
    expect(tls.options.protocol).toBe('https');
  });
  it('rejects an address it cannot read', () => {
    expect(() => resolveEndpoint({ DOCKER_HOST: 'ftp://x' })).toThrow(UserError);
  });
});

describe('StdioDemuxer', () => {
  it('splits frames across and within chunks', () => {
    const frame = (type: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = type;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    const all = Buffer.concat([frame(1, 'out1 '), frame(2, 'err1'), frame(1, 'out2'), frame(2, '')]);
    const out: string[] = [];
    const err: string[] = [];
    const d = new StdioDemuxer(
      (c) => out.push(c.toString()),
      (c) => err.push(c.toString()),
    );
    for (let i = 0; i < all.length; i += 3) d.push(all.subarray(i, i + 3));
    expect(out.join('')).toBe('out1 out2');
    expect(err.join('')).toBe('err1');
  });
});

describe('cacheVolumeName', () => {
  it('is a valid volume name and keeps distinct ids apart', () => {
    expect(cacheVolumeName('/root/.cache/pip')).toMatch(/^scannable-cache-root-.cache-pip-[0-9a-f]{12}$/);
    expect(cacheVolumeName('a/b')).not.toBe(cacheVolumeName('a_b'));
  });
});

describe('an unreachable engine', () => {
  it('gives one clear message: where, the OS error, how to start one', async () => {
    const engine = new DockerEngine({ env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    const err = await engine.ping().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).toContain('unix:///nonexistent.sock (from DOCKER_HOST)');
    expect(message).toContain('ENOENT');
    expect(message).toContain('sudo dockerd');
    expect(message).toContain('bash scripts/engine.sh');
    expect(message).toContain('DOCKER_HOST');
    expect(message).not.toMatch(/\n\s+at /);
    // Every operation fails the same way, not with a cascade of different errors.
    await expect(engine.inspectImage('busybox')).rejects.toThrow(message);
  });
  it('names a refused TCP port', async () => {
    const engine = new DockerEngine({ env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    await expect(engine.version()).rejects.toThrow(
      /tcp:\/\/127\.0\.0\.1:1 \(from DOCKER_HOST\).*ECONNREFUSED.*connection refused/,
    );
  });
});

describeEngine('DockerEngine on the real engine', () => {
  const engine = new DockerEngine();
  const buildId = testBuildId('engine');
  const labels = buildLabel(buildId);
  let busybox = '';

  beforeAll(async () => {
    busybox = await engine.resolveImage('busybox:latest');
  });
  afterAll(async () => {
    await cleanup(engine, buildId);
    for (const v of volumesToRemove) docker(['volume', 'rm', '-f', v]);
  });
  const volumesToRemove: string[] = [];

  it('answers ping and version', async () => {
    await engine.ping();
    const v = await engine.version();
    expect(v.product).toBe('docker');
    expect(v.apiVersion).toMatch(/^1\.\d+$/);
    expect(Number(v.negotiatedApiVersion.split('.')[1])).toBeLessThanOrEqual(Number(v.apiVersion.split('.')[1]));
  });

  it("finds an image's layer directories on this machine, one per layer, base first", async () => {
    const dirs = await engine.localLayerDirs(busybox);
    const info = await engine.inspectImage(busybox);
    // This machine's engine is a local overlay2 engine run by root, as CI's is.
    expect(dirs).toHaveLength(info!.layers.length);
    expect(readdirSync(dirs![0]!)).toContain('bin');
    // Not for an engine elsewhere, whose paths mean nothing here.
    expect(
      await new DockerEngine({ env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } }).localLayerDirs(busybox),
    ).toBeUndefined();
  });

  it('finds the directory a container writes to: what its commit puts in the new layer', async () => {
    const c = await engine.createContainer({
      image: busybox,
      buildId,
      cmd: ['sh', '-c', 'mkdir -p /w && echo written > /w/f'],
      entrypoint: [],
    });
    try {
      expect((await engine.run(c.id)).exitCode).toBe(0);
      const dir = await engine.containerWriteDir(c.id);
      expect(readFileSync(path.join(dir!, 'w', 'f'), 'utf8')).toBe('written\n');
      const image = await engine.commit(c.id, { config: {} });
      const dirs = await engine.localLayerDirs(image);
      expect(readFileSync(path.join(dirs!.at(-1)!, 'w', 'f'), 'utf8')).toBe('written\n');
      expect(
        await new DockerEngine({ env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } }).containerWriteDir(c.id),
      ).toBeUndefined();
      await engine.removeImage(image);
    } finally {
      await engine.removeContainer(c.id);
    }
  });

  it('inspects an image: id, config, layers, history', async () => {
    const info = await engine.inspectImage('busybox:latest');
    expect(info?.id).toBe(busybox);
    expect(info?.repoTags).toContain('busybox:latest');
    expect(info?.config.Cmd).toEqual(['sh']);
    expect(info?.layers).toHaveLength(1);
    expect(info?.layers[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(info?.history.filter((h) => !h.emptyLayer)).toHaveLength(1);
  });

  it('refuses a missing image by name, saying it must exist locally', async () => {
    expect(await engine.inspectImage('scannable-test/absent:1')).toBeUndefined();
    const err = await engine.resolveImage('scannable-test/absent:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /image scannable-test\/absent:1 does not exist.*never pulls.*docker pull.*docker load/,
    );
  });

  it('names the operation and quotes the engine when a call fails', async () => {
    const err = await engine.createContainer({ image: `sha256:${'0'.repeat(64)}`, buildId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(/^create container from 000000000000: .*No such image/i);
    expect((err as EngineError).statusCode).toBe(404);
  });

  it('round trip: create, put an archive, run, changes, commit with an exact config', async () => {
    const c = await engine.createContainer({
      image: busybox,
      buildId,
      cmd: ['sh', '-c', 'cat /data/hello.txt; echo oops >&2; echo new > /data/new.txt; rm /etc/group; exit 3'],
      entrypoint: [],
      env: ['PATH=/bin', 'BUILD_ONLY=secret-arg'],
      networkMode: 'none',
    });
    const tarball = await packTar([
      { name: 'data/hello.txt', data: Buffer.from('hello\n') },
      { name: 'data/run.sh', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
    ]);
    await engine.putArchive(c.id, '/', tarball);
    let stdout = '';
    let stderr = '';
    const result = await engine.run(c.id, { onStdout: (b) => (stdout += b), onStderr: (b) => (stderr += b) });
    expect(result.exitCode).toBe(3);
    expect(stdout).toBe('hello\n');
    expect(stderr).toBe('oops\n');
    const changes = await engine.changes(c.id);
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: '/data', kind: 'added' },
        { path: '/data/hello.txt', kind: 'added' },
        { path: '/data/new.txt', kind: 'added' },
        { path: '/etc/group', kind: 'deleted' },
        { path: '/etc', kind: 'modified' },
      ]),
    );
    const config: ImageConfig = {
      User: '65534:65534',
      ExposedPorts: { '8080/tcp': {} },
      Env: ['PATH=/bin', 'MODE=prod'],
      Entrypoint: ['/data/run.sh'],
      Cmd: ['--serve'],
      Volumes: { '/state': {} },
      WorkingDir: '/data',
      Labels: { 'org.example.name': 'demo' },
      StopSignal: 'SIGUSR2',
      Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30_000_000_000, Retries: 3 },
      Shell: ['/bin/sh', '-ec'],
      OnBuild: ['RUN echo child'],
    };
    const draft = await engine.commit(c.id, {
      config,
      createdBy: 'RUN demo',
      comment: 'step 1',
      author: 'scannable',
      labels,
    });
    await engine.removeContainer(c.id);
    // The draft is what the engine's commit made of the container: its build-only env is in it.
    expect((await engine.inspectImage(draft))?.config.Env).toContain('BUILD_ONLY=secret-arg');
    // A later process knows the draft's intended config from its record alone.
    const record = engine.draftRecord(draft);
    expect(record).toBeDefined();
    const later = new DockerEngine();
    // Without the config: a step's config may hold secrets, and its Dockerfile gives it again.
    expect(record).not.toContain('MODE=prod');
    expect(later.restoreDraft(draft, 'not json', config)).toBe(false);
    expect(later.restoreDraft(draft, '{}', config)).toBe(false);
    expect(later.restoreDraft(draft, record!, { ...config, Labels: { ...config.Labels, ...labels } })).toBe(true);
    const image = await later.materialize(draft);
    expect(image).not.toBe(draft);
    expect(await later.materialize(image)).toBe(image);
    expect(later.draftRecord(image)).toBeUndefined();
    const info = await engine.inspectImage(image);
    // Exactly the config asked for: nothing of the container's (its labels, BUILD_ONLY, hostname) leaked in.
    expect(info?.config).toEqual({ ...config, Labels: { ...config.Labels, ...labels } });
    expect(info?.author).toBe('scannable');
    expect(info?.layers).toHaveLength(2);
    expect(info?.layers).toEqual((await engine.inspectImage(draft))?.layers);
    expect(info?.history.at(-1)).toMatchObject({ createdBy: 'RUN demo', comment: 'step 1', emptyLayer: false });
    expect(info?.history).toHaveLength(2);
    // The snapshot holds the files: read them back without running anything.
    const fs = await TarSnapshotFs.fromStream(await engine.readImage(image, '/data', buildId));
    expect(fs.readFile('/data/new.txt')?.toString()).toBe('new\n');
    expect(fs.stat('/data/run.sh')?.mode).toBe(0o755);
    fs.close();
    expect(await engine.listContainers(labels)).toEqual([]);
  });

  it('a step that changes nothing has [] changes (the API says null)', async () => {
    const c = await engine.createContainer({ image: busybox, buildId, cmd: ['true'], entrypoint: [] });
    expect((await engine.run(c.id)).exitCode).toBe(0);
    expect(await engine.changes(c.id)).toEqual([]);
    const image = await engine.materialize(await engine.commit(c.id, { config: { Cmd: ['sh'] }, labels }));
    await engine.removeContainer(c.id);
    const info = await engine.inspectImage(image);
    expect(info?.config).toEqual({ Cmd: ['sh'], Labels: labels });
  });

  it('copy-only steps never start: putArchive on a created container, then commit', async () => {
    const c = await engine.createContainer({ image: busybox, buildId });
    await engine.putArchive(c.id, '/tmp', await packTar([{ name: 'app/x.txt', data: Buffer.from('x') }]));
    expect(await engine.changes(c.id)).toEqual(
      expect.arrayContaining([
        { path: '/tmp/app', kind: 'added' },
        { path: '/tmp/app/x.txt', kind: 'added' },
      ]),
    );
    const state = docker(['inspect', '-f', '{{.State.Status}}', c.id]).stdout.trim();
    expect(state).toBe('created');
    const image = await engine.commit(c.id, { config: { Cmd: ['sh'] }, createdBy: 'COPY app /tmp/app', labels });
    await engine.removeContainer(c.id);
    const fs = await TarSnapshotFs.fromStream(await engine.readImage(image, '/tmp/app/x.txt', buildId), {
      at: '/tmp/app',
    });
    expect(fs.readFile('/tmp/app/x.txt')?.toString()).toBe('x');
    expect(fs.sha256('/tmp/app/x.txt')).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    fs.close();
  });

  it('config-only snapshots and FROM scratch need no container', async () => {
    const configured = await engine.configure(busybox, {
      config: { Cmd: ['echo', 'hi'], Env: ['A=1'] },
      createdBy: 'ENV A=1',
      labels,
    });
    const info = await engine.inspectImage(configured);
    expect(info?.layers).toEqual((await engine.inspectImage(busybox))?.layers);
    expect(info?.history.at(-1)).toMatchObject({ createdBy: 'ENV A=1', emptyLayer: true });
    expect(info?.config.Env).toEqual(['A=1']);

    const scratch = await engine.scratchImage({ Cmd: ['/hello'] }, labels);
    expect((await engine.inspectImage(scratch))?.layers).toEqual([]);
    const c = await engine.createContainer({ image: scratch, buildId });
    await engine.putArchive(c.id, '/', await packTar([{ name: 'hello', data: Buffer.from('static') }]));
    const image = await engine.commit(c.id, { config: { Cmd: ['/hello'] }, createdBy: 'COPY hello /', labels });
    await engine.removeContainer(c.id);
    const fs = await TarSnapshotFs.fromStream(await engine.readImage(image, undefined, buildId));
    expect(fs.readFile('/hello')?.toString()).toBe('static');
    expect((await engine.inspectImage(image))?.layers).toHaveLength(1);
    fs.close();
  });

  it('streams output while the process runs, demultiplexed', async () => {
    const c = await engine.createContainer({
      image: busybox,
      buildId,
      entrypoint: [],
      cmd: [
        'sh',
        '-c',
        'echo first; sleep 1; i=0; while [ $i -lt 2000 ]; do echo "line $i"; echo "err $i" >&2; i=$((i+1)); done',
      ],
    });
    let firstAt = 0;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const r = await engine.run(c.id, {
      onStdout: (b) => {
        firstAt ||= Date.now();
        out.push(b);
      },
      onStderr: (b) => err.push(b),
    });
    const doneAt = Date.now();
    await engine.removeContainer(c.id);
    expect(r.exitCode).toBe(0);
    expect(doneAt - firstAt).toBeGreaterThan(700);
    const lines = Buffer.concat(out).toString().trimEnd().split('\n');
    expect(lines).toHaveLength(2001);
    expect(lines[0]).toBe('first');
    expect(lines.at(-1)).toBe('line 1999');
    expect(Buffer.concat(err).toString().trimEnd().split('\n')).toEqual(
      Array.from({ length: 2000 }, (_, i) => `err ${i}`),
    );
  });

  it('cancellation kills and removes the container', async () => {
    const c = await engine.createContainer({ image: busybox, buildId, entrypoint: [], cmd: ['sleep', '60'] });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 500);
    const started = Date.now();
    await expect(engine.run(c.id, { signal: abort.signal })).rejects.toBeInstanceOf(StepCanceledError);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(docker(['inspect', c.id]).status).not.toBe(0);
  });

  it('cancellation that comes while the output is being attached still stops the container', async () => {
    const c = await engine.createContainer({ image: busybox, buildId, entrypoint: [], cmd: ['sleep', '60'] });
    const abort = new AbortController();
    // run() has checked the signal and is attaching: the abort lands before the wait is asked.
    const running = engine.run(c.id, { signal: abort.signal });
    abort.abort();
    await expect(running).rejects.toBeInstanceOf(StepCanceledError);
    expect(docker(['inspect', c.id]).status).not.toBe(0);
  }, 30_000);

  it('a timeout kills and removes the container', async () => {
    const c = await engine.createContainer({ image: busybox, buildId, entrypoint: [], cmd: ['sleep', '60'] });
    const err = await engine.run(c.id, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepTimeoutError);
    expect((err as Error).message).toMatch(/timed out after 0\.5 s/);
    expect(docker(['inspect', c.id]).status).not.toBe(0);
  });

  it('cleans up by label, and only that label', async () => {
    const other = testBuildId('other');
    for (let i = 0; i < 3; i++) await engine.createContainer({ image: busybox, buildId: `${buildId}-gc` });
    const keep = await engine.createContainer({ image: busybox, buildId: other });
    const mine = await engine.listContainers({ [LABEL_BUILD]: `${buildId}-gc` });
    expect(mine).toHaveLength(3);
    expect(mine.every((c) => c.labels[LABEL_OWNER] === 'true')).toBe(true);
    expect(await engine.removeContainers({ [LABEL_BUILD]: `${buildId}-gc` })).toBe(3);
    expect(await engine.listContainers({ [LABEL_BUILD]: `${buildId}-gc` })).toEqual([]);
    expect((await engine.listContainers({ [LABEL_BUILD]: other })).map((c) => c.id)).toEqual([keep.id]);
    await engine.removeContainers({ [LABEL_BUILD]: other });
    await expect(engine.removeContainers({})).rejects.toThrow(/without a label filter/);
  });

  it('mounts: secret files read-only and never committed, tmpfs, volume-backed caches', async () => {
    const cacheId = `${buildId}-cache`;
    volumesToRemove.push(cacheVolumeName(cacheId));
    const c = await engine.createContainer({
      image: busybox,
      buildId,
      entrypoint: [],
      cmd: [
        'sh',
        '-c',
        'cat /run/secrets/token; (echo x > /run/secrets/token) 2>/dev/null && echo WRITABLE; echo t > /scratch/t; echo c > /cache/c; echo kept > /kept',
      ],
      mounts: [
        { type: 'secret', target: '/run/secrets/token', content: Buffer.from('s3cr3t') },
        { type: 'tmpfs', target: '/scratch' },
        { type: 'cache', id: cacheId, target: '/cache' },
      ],
    });
    expect(c.mountpoints.sort()).toEqual(['/cache', '/run', '/scratch']);
    let out = '';
    expect((await engine.run(c.id, { onStdout: (b) => (out += b) })).exitCode).toBe(0);
    expect(out).toBe('s3cr3t');
    const changed = (await engine.changes(c.id)).map((ch) => ch.path);
    expect(changed).toContain('/kept');
    expect(changed.filter((p) => p.startsWith('/scratch/') || p.startsWith('/cache/'))).toEqual([]);
    const image = await engine.commit(c.id, { config: { Cmd: ['sh'] }, labels });
    await engine.removeContainer(c.id);
    const fs = await TarSnapshotFs.fromStream(await engine.readImage(image, undefined, buildId));
    expect(fs.readFile('/kept')?.toString()).toBe('kept\n');
    expect(fs.readFile('/run/secrets/token') ?? Buffer.alloc(0)).toHaveLength(0);
    expect(fs.list('/scratch')).toEqual([]);
    fs.close();
    // The cache outlives the container.
    const again = await engine.createContainer({
      image: busybox,
      buildId,
      entrypoint: [],
      cmd: ['cat', '/cache/c'],
      mounts: [{ type: 'cache', id: cacheId, target: '/cache' }],
    });
    let cached = '';
    await engine.run(again.id, { onStdout: (b) => (cached += b) });
    await engine.removeContainer(again.id);
    expect(cached).toBe('c\n');
  });

  it('tags and removes images', async () => {
    const image = await engine.configure(busybox, { config: { Cmd: ['true'] }, labels });
    const ref = `scannable-test/${buildId}:v1`;
    await engine.tag(image, ref);
    expect(await engine.resolveImage(ref)).toBe(image);
    await engine.removeImage(ref);
    await engine.removeImage(ref); // already gone: not an error
    expect(await engine.inspectImage(ref)).toBeUndefined();
  });
});
