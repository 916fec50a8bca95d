/**
 * `Engine` on the Docker Engine API (Docker, and Podman's Docker-compatible
 * socket), through dockerode's connection layer.
 *
 * Two things the API does not do the way a builder needs, and how we get them:
 *
 * - `POST /commit` merges the container's own config into the image's (its
 *   labels, env, and its Cmd when the image has none), so a step container's
 *   build label and build-only env would leak into its snapshot. Writing the
 *   config we want takes `POST /images/load` (a manifest and a config, no
 *   layer data: the engine already has every layer), which costs ~0.1 s. So a
 *   snapshot stays a draft (`commit`): its intended config document is kept
 *   here, later steps of its stage run with their full env anyway, and only
 *   what is handed on is loaded with the intended config (`materialize`). The
 *   same load gives config-only snapshots (`configure`) and `FROM scratch`
 *   (`scratchImage`) without any container.
 * - A container started by the API runs the image's entrypoint; callers pass
 *   `entrypoint: []` to run their argv directly.
 */
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants as fsConstants,
  mkdtempSync,
  rmSync,
  writeFileSync,
  chmodSync,
  chownSync,
} from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import type https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { Transform, type Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { loadDockerode } from './dockerode-load.js';
import tar from 'tar-stream';
import { UserError } from '../../common/diagnostics.js';
import type { FileEntry } from '../../snapshot/fs.js';
import {
  ENGINE_EXIT_CODE,
  EngineError,
  EngineUnreachableError,
  LABEL_BUILD,
  LABEL_CACHE,
  LABEL_OWNER,
  snapshotLabel,
  StepCanceledError,
  StepTimeoutError,
  type Change,
  type CommitOptions,
  type ContainerRef,
  type ContainerSpec,
  type ContainerSummary,
  type Engine,
  type EngineVersion,
  type ImageConfig,
  type ImageHistoryEntry,
  type ImageInfo,
  type ImageSummary,
  type RunOptions,
  type RunResult,
} from '../types.js';
import { resolveEndpoint, type Endpoint } from './endpoint.js';
import { packTar, readAll } from '../../snapshot/tar-util.js';

export { packTar, readAll };

/** The newest API version this client is written against; older engines get their own. */
export const MAX_API_VERSION = '1.47';

/** Cmd for containers that are only written to or read from and never start. */
const NEVER_STARTED_CMD = ['/.scannable-container-never-started'];

/** The image config document (what an image id is the sha256 of). */
export interface RawImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  comment?: string;
  config: ImageConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history: RawHistoryEntry[];
}

interface RawHistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

interface DialOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  file?: Buffer | Readable;
  stream?: boolean;
  signal?: AbortSignal;
  contentType?: string;
  /**
   * The engine timeout does not apply: calls that legitimately wait as long
   * as the step runs (wait, attach). Other calls must have their answer (a
   * stream: its headers, then data without a pause longer than the timeout)
   * within it.
   */
  untimed?: boolean;
}

type DialError = Error & { statusCode?: number; json?: unknown; code?: string; reason?: string };

/** OS error codes that mean "nothing answers there", with what to say about each. */
const UNREACHABLE: Record<string, string> = {
  ENOENT: 'no socket at that path',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied (run as root, or as a member of the docker group)',
  EPERM: 'operation not permitted',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTSOCK: 'not a socket',
};

export interface DockerEngineOptions {
  /** Environment to read DOCKER_HOST and friends from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /**
   * How long one API call may take to answer, in milliseconds (0: no limit).
   * Default: SCANNABLE_ENGINE_TIMEOUT (seconds) from `env`, else 600 s. Waiting
   * for a RUN step's process is not an API call that times out here (see the
   * step timeout, `scannable build --timeout`).
   */
  timeoutMs?: number;
}

/** Default limit on one engine API call. */
export const DEFAULT_ENGINE_TIMEOUT_MS = 600_000;

/** The engine timeout in effect for these options (0 means none). */
export function engineTimeoutMs(options: DockerEngineOptions = {}): number {
  if (options.timeoutMs !== undefined) return options.timeoutMs;
  const raw = (options.env ?? process.env).SCANNABLE_ENGINE_TIMEOUT;
  if (raw === undefined || raw.trim() === '') return DEFAULT_ENGINE_TIMEOUT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new UserError(
      `SCANNABLE_ENGINE_TIMEOUT must be a number of seconds (0 for no limit), not ${JSON.stringify(raw)}`,
      2,
    );
  }
  return Math.round(seconds * 1000);
}

/** An engine API call did not answer within the engine timeout. */
export class EngineTimeoutError extends EngineError {
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number) {
    super(
      operation,
      `the engine did not answer within ${timeoutMs / 1000} s (the engine timeout; raise it with --engine-timeout or SCANNABLE_ENGINE_TIMEOUT, 0 for none)`,
    );
    this.name = 'EngineTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The connection broke after the engine had been reached: what happened to the operation is unknown. */
function connectionLost(e: DialError): boolean {
  return (
    e.code === 'ECONNRESET' ||
    e.code === 'EPIPE' ||
    e.code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    /socket hang up|aborted|premature close/i.test(e.message ?? '')
  );
}

/** A response body, whole; rejects when the connection ends before the body does. */
function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let done = false;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      reject(e);
    };
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      done = true;
      resolve(Buffer.concat(chunks));
    });
    res.on('error', (e) => fail(Object.assign(e, { code: (e as DialError).code ?? 'ECONNRESET' })));
    res.on('close', () =>
      fail(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' })),
    );
  });
}

export class DockerEngine implements Engine {
  readonly endpoint: string;
  private readonly where: Endpoint;
  private clientPromise: Promise<Dockerode> | undefined;
  private versionInfo: EngineVersion | undefined;
  /**
   * Config documents of images this engine wrote, so later steps need not
   * reconstruct them: exact, except for drafts, whose intended one it is.
   */
  private readonly rawConfigs = new Map<string, RawImageConfig>();
  /** Snapshots whose config in the engine is not (yet) their intended one (`commit`). */
  private readonly drafts = new Set<string>();
  /** Image each container was created from (the parent of its commit) and its build. */
  private readonly containerOrigins = new Map<string, { image: string; buildId: string }>();
  /** Layer directories by image id (`localLayerDirs`). */
  private readonly layerDirsById = new Map<string, Promise<string[] | undefined>>();
  /** Whether the engine's layer directories hold files as the images have them (see `layersAsStored`). */
  private storedAsIs: Promise<boolean> | undefined;
  /** Host directories holding secret files, removed with their container. */
  private readonly secretDirs = new Map<string, string>();

  /** Limit on one API call, ms (0: none). */
  readonly timeoutMs: number;

  constructor(options: DockerEngineOptions = {}) {
    this.where = resolveEndpoint(options.env ?? process.env);
    this.endpoint = this.where.url;
    this.timeoutMs = engineTimeoutMs(options);
  }

  // ---- connection -------------------------------------------------------

  /** The client, after negotiating the API version once. */
  private client(): Promise<Dockerode> {
    this.clientPromise ??= (async () => {
      // Loaded on first use: a build served from the cache and every engine-less path skip its start-up cost.
      const Dockerode = await loadDockerode();
      const options = withPlainAgent(this.where.options);
      const probe = new Dockerode(options);
      let v: Record<string, unknown>;
      try {
        v = (await probe.version()) as unknown as Record<string, unknown>;
      } catch (e) {
        this.clientPromise = undefined; // a later call may find the engine started
        throw this.toError('connect', e);
      }
      const server = String(v.ApiVersion ?? '1.41');
      const negotiated = compareVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
      const components = Array.isArray(v.Components) ? (v.Components as { Name?: string }[]) : [];
      const product = components.some((c) => /podman/i.test(c.Name ?? ''))
        ? 'podman'
        : components.some((c) => /engine/i.test(c.Name ?? '')) || v.Version
          ? 'docker'
          : 'unknown';
      this.versionInfo = {
        product,
        version: String(v.Version ?? ''),
        apiVersion: server,
        negotiatedApiVersion: negotiated,
        os: String(v.Os ?? ''),
        arch: String(v.Arch ?? ''),
      };
      return new Dockerode({ ...options, version: `v${negotiated}` });
    })();
    return this.clientPromise;
  }

  /**
   * One API request; every failure becomes an EngineError naming `operation`.
   *
   * The modem is always asked for the response as a stream and the body is
   * read here: the modem's own body reading never settles when the connection
   * breaks after the headers (a RUN's wait, whose headers come at once), which
   * would leave the build waiting forever.
   */
  private async dial<T>(operation: string, o: DialOptions): Promise<T> {
    const docker = await this.client();
    const hasQuery = o.query && Object.keys(o.query).length > 0;
    const query: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) query[k] = v;
    const limit = o.untimed ? 0 : this.timeoutMs;
    const timer = new AbortController();
    let timedOut = false;
    const t = limit > 0 ? setTimeout(() => ((timedOut = true), timer.abort()), limit) : undefined;
    const signal = o.signal ? AbortSignal.any([o.signal, timer.signal]) : timer.signal;
    const fail = (e: unknown): Error =>
      timedOut ? new EngineTimeoutError(operation, limit) : this.toError(operation, e);
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        docker.modem.dial(
          {
            path: o.path + (hasQuery ? '?' : ''),
            method: o.method,
            options: { _query: query, _body: o.body ?? {} },
            ...(o.file !== undefined ? { file: o.file } : {}),
            ...(o.contentType ? { headers: { 'Content-Type': o.contentType } } : {}),
            isStream: true,
            abortSignal: signal,
            statusCodes: { 200: true, 201: true, 204: true, 304: true },
          },
          (err: DialError | null, data: unknown) => (err ? reject(err) : resolve(data as IncomingMessage)),
        );
      });
      if (o.stream) {
        // A stream stalls no longer than the timeout between two pieces of data.
        if (limit > 0) {
          res.setTimeout(limit, () => ((timedOut = true), res.destroy(new EngineTimeoutError(operation, limit))));
        }
        res.on('error', () => undefined); // consumers see errors through their pipes; never an unhandled 'error'
        return res as T;
      }
      const onAbort = () => res.destroy(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return decodeBody(await readBody(res)) as T;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    } catch (e) {
      throw fail(e);
    } finally {
      if (t) clearTimeout(t);
    }
  }

  /** Maps whatever dockerode threw to one of our errors. */
  private toError(operation: string, e: unknown): Error {
    if (e instanceof UserError) return e;
    const err = e as DialError;
    if (err?.name === 'AbortError') return err;
    if (this.versionInfo && err?.statusCode === undefined && connectionLost(err)) {
      // The engine answered before: this request, not the engine, is what failed.
      return new EngineError(
        operation,
        `the connection to the engine at ${this.endpoint} broke before the engine answered (${err.message.trim() || err.code})`,
      );
    }
    if (err?.code && UNREACHABLE[err.code] && err.statusCode === undefined) {
      const where =
        this.where.source === 'default'
          ? `${this.endpoint} (DOCKER_HOST is not set)`
          : `${this.endpoint} (from DOCKER_HOST)`;
      return new EngineUnreachableError(
        `cannot reach a container engine at ${where}: ${err.message.trim()} — ${UNREACHABLE[err.code]}. ` +
          'Start one with `sudo dockerd` (in a scannable checkout: `bash scripts/engine.sh`), ' +
          'or set DOCKER_HOST to an engine that runs (Docker, or Podman: DOCKER_HOST=unix:///run/podman/podman.sock).',
        this.endpoint,
      );
    }
    const json = err?.json as { message?: string } | string | undefined;
    let message =
      typeof json === 'object' && json && typeof json.message === 'string'
        ? json.message
        : typeof json === 'string' && json.trim()
          ? json.trim()
          : String(err?.message ?? e)
              .replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '')
              .trim();
    message = message.replace(/\s+$/, '');
    return new EngineError(operation, message || 'failed', err?.statusCode);
  }

  async ping(): Promise<void> {
    await this.dial('ping', { method: 'GET', path: '/_ping' });
  }

  async version(): Promise<EngineVersion> {
    await this.client();
    return { ...this.versionInfo! };
  }

  // ---- images -----------------------------------------------------------

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    const raw = await this.inspectImageRaw(ref);
    if (!raw) return undefined;
    const doc = await this.rawConfig(String(raw.Id), raw);
    return {
      id: String(raw.Id),
      repoTags: (raw.RepoTags as string[] | null) ?? [],
      repoDigests: (raw.RepoDigests as string[] | null) ?? [],
      created: String(raw.Created ?? ''),
      author: String(raw.Author ?? ''),
      comment: String(raw.Comment ?? ''),
      os: String(raw.Os ?? ''),
      architecture: String(raw.Architecture ?? ''),
      ...(raw.Variant ? { variant: String(raw.Variant) } : {}),
      config: pickConfig(raw.Config),
      layers: doc.rootfs.diff_ids,
      history: doc.history.map((h): ImageHistoryEntry => ({
        ...(h.created ? { created: h.created } : {}),
        ...(h.created_by ? { createdBy: h.created_by } : {}),
        ...(h.author ? { author: h.author } : {}),
        ...(h.comment ? { comment: h.comment } : {}),
        emptyLayer: h.empty_layer === true,
      })),
      size: Number(raw.Size ?? 0),
    };
  }

  /**
   * Asked for the same images again and again in a build (a step's parent is
   * the step before; every stage is stacked from its root): an image id names
   * the same layers for as long as the image exists, so each id is inspected
   * once.
   */
  localLayerDirs(imageId: string): Promise<string[] | undefined> {
    if (!imageId.startsWith('sha256:')) return this.findLayerDirs(imageId);
    let found = this.layerDirsById.get(imageId);
    if (!found) {
      found = this.findLayerDirs(imageId);
      this.layerDirsById.set(imageId, found);
      found.catch(() => this.layerDirsById.delete(imageId));
    }
    return found;
  }

  private async findLayerDirs(imageId: string): Promise<string[] | undefined> {
    if (!(await this.storageReadable())) return undefined;
    const driver = overlayDirs(await this.inspectImageRaw(imageId));
    if (!driver) return undefined;
    // LowerDir lists the layers below, topmost first.
    const dirs = [...(driver.LowerDir ? driver.LowerDir.split(':').reverse() : []), driver.UpperDir];
    return dirs.every(readableDir) ? dirs : undefined;
  }

  async containerWriteDir(containerId: string): Promise<string | undefined> {
    if (!(await this.storageReadable())) return undefined;
    const raw = await this.dial<Record<string, unknown>>(`inspect container ${shortId(containerId)}`, {
      method: 'GET',
      path: `/containers/${containerId}/json`,
    });
    const upper = overlayDirs(raw)?.UpperDir;
    return upper && readableDir(upper) ? upper : undefined;
  }

  /** Whether this process may read the engine's storage at all (see `layersAsStored`). */
  private async storageReadable(): Promise<boolean> {
    return this.where.local && process.platform === 'linux' && (await this.layersAsStored());
  }

  /**
   * Whether files in the engine's storage carry the owners the image has: not
   * under a rootless engine or user-namespace remapping, where they belong to
   * shifted host ids (what export reports is then the only truth).
   */
  private layersAsStored(): Promise<boolean> {
    // The storage driver is checked per image (its GraphDriver), where the directories come from.
    this.storedAsIs ??= this.dial<{ SecurityOptions?: string[] | null }>('engine info', {
      method: 'GET',
      path: '/info',
    }).then(
      (info) => !(info.SecurityOptions ?? []).some((o) => /name=(rootless|userns)\b/.test(o)),
      () => false,
    );
    return this.storedAsIs;
  }

  private async inspectImageRaw(ref: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.dial<Record<string, unknown>>(`inspect image ${ref}`, {
        method: 'GET',
        path: `/images/${encodeURIComponent(ref)}/json`,
      });
    } catch (e) {
      if (e instanceof EngineError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  async resolveImage(ref: string): Promise<string> {
    const raw = await this.inspectImageRaw(ref);
    if (!raw) {
      throw new UserError(
        `image ${ref} does not exist in the engine at ${this.endpoint}; scannable never pulls: ` +
          `pull it first (docker pull ${ref}) or load it (docker load -i image.tar)`,
        ENGINE_EXIT_CODE,
      );
    }
    return String(raw.Id);
  }

  /**
   * The exact config document of an image: remembered when we wrote it, else
   * rebuilt from inspect + history (which lack `empty_layer`; when the layer
   * sizes cannot tell, read it from `docker save`, whose first entry it is).
   */
  private async rawConfig(imageId: string, inspected?: Record<string, unknown>): Promise<RawImageConfig> {
    const known = this.rawConfigs.get(imageId);
    if (known) return known;
    const raw = inspected ?? (await this.inspectImageRaw(imageId));
    if (!raw) throw new EngineError(`inspect image ${imageId}`, 'no such image', 404);
    const layers = ((raw.RootFS as { Layers?: string[] } | undefined)?.Layers ?? []).slice();
    const history = await this.dial<{ Created: number; CreatedBy: string; Comment: string; Size: number }[]>(
      `image history ${imageId}`,
      { method: 'GET', path: `/images/${encodeURIComponent(imageId)}/history` },
    );
    const oldestFirst = (history ?? []).slice().reverse();
    const sized = oldestFirst.filter((h) => h.Size > 0).length;
    const zero = oldestFirst.length - sized;
    let entries: RawHistoryEntry[];
    if (sized === layers.length || zero === layers.length - sized) {
      const allZeroAreLayers = sized !== layers.length;
      entries = oldestFirst.map((h) => ({
        ...(h.Created ? { created: new Date(h.Created * 1000).toISOString() } : {}),
        ...(h.CreatedBy ? { created_by: h.CreatedBy } : {}),
        ...(h.Comment ? { comment: h.Comment } : {}),
        ...(h.Size > 0 || allZeroAreLayers ? {} : { empty_layer: true }),
      }));
    } else {
      const saved = await this.configFromSave(imageId);
      if (saved) {
        this.rawConfigs.set(imageId, saved);
        return saved;
      }
      entries = oldestFirst.map((h) => ({ ...(h.CreatedBy ? { created_by: h.CreatedBy } : {}) }));
    }
    const doc: RawImageConfig = {
      architecture: String(raw.Architecture ?? 'amd64'),
      os: String(raw.Os ?? 'linux'),
      ...(raw.Variant ? { variant: String(raw.Variant) } : {}),
      ...(raw.Created ? { created: String(raw.Created) } : {}),
      ...(raw.Author ? { author: String(raw.Author) } : {}),
      ...(raw.Comment ? { comment: String(raw.Comment) } : {}),
      config: pickConfig(raw.Config),
      rootfs: { type: 'layers', diff_ids: layers },
      history: entries,
    };
    this.rawConfigs.set(imageId, doc);
    return doc;
  }

  private async configFromSave(imageId: string): Promise<RawImageConfig | undefined> {
    const stream = await this.saveImage(imageId);
    const want = `${imageId.replace(/^sha256:/, '')}.json`;
    return new Promise((resolve, reject) => {
      const extract = tar.extract();
      let found: RawImageConfig | undefined;
      extract.on('entry', (header, body, next) => {
        const name = header.name.replace(/^\.\//, '');
        if (name === want || name === `blobs/sha256/${want.replace(/\.json$/, '')}`) {
          const chunks: Buffer[] = [];
          body.on('data', (c: unknown) => chunks.push(c as Buffer));
          body.on('end', () => {
            try {
              found = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RawImageConfig;
            } catch {
              /* not the config; keep looking */
            }
            if (found) {
              stream.destroy();
              resolve(found);
            } else next();
          });
        } else {
          body.on('end', next);
          body.resume();
        }
      });
      extract.on('finish', () => resolve(found));
      extract.on('error', reject);
      stream.on('error', (e) => (found ? undefined : reject(this.toError(`save image ${imageId}`, e))));
      stream.pipe(extract);
    });
  }

  /** Writes a config document as an image (layers must exist in the engine) and returns its id. */
  private async loadConfig(doc: RawImageConfig, operation: string): Promise<string> {
    const bytes = Buffer.from(JSON.stringify(doc));
    const hex = createHash('sha256').update(bytes).digest('hex');
    const id = `sha256:${hex}`;
    const layerFiles = doc.rootfs.diff_ids.map((d) => `${d.replace(/^sha256:/, '')}/layer.tar`);
    const manifest = [{ Config: `${hex}.json`, RepoTags: null, Layers: layerFiles }];
    // The engine reuses the layers it holds by diff id and never reads these files, but Podman refuses an
    // archive whose manifest names files it does not contain (Docker accepts both), so each is there, empty.
    const archive = await packTar([
      { name: `${hex}.json`, data: bytes },
      ...[...new Set(layerFiles)].map((name) => ({ name, data: Buffer.alloc(0) })),
      { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
    ]);
    const res = await this.dial<IncomingMessage>(operation, {
      method: 'POST',
      path: '/images/load',
      query: { quiet: 1 },
      file: archive,
      contentType: 'application/x-tar',
      stream: true,
    });
    const text = (await readAll(res)).toString('utf8');
    const failure = text
      .split('\n')
      .map((line) => {
        try {
          return JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
        } catch {
          return undefined;
        }
      })
      .find((m) => m?.error || m?.errorDetail);
    if (failure) throw new EngineError(operation, failure.errorDetail?.message ?? failure.error ?? 'load failed');
    // Docker answers "Loaded image ID: <id>"; other engines may word it differently, so then ask.
    if (!text.includes(hex) && !(await this.inspectImageRaw(id))) {
      throw new EngineError(
        operation,
        `the engine did not store image ${id} (it answered: ${text.trim().slice(0, 200)})`,
      );
    }
    this.rawConfigs.set(id, doc);
    return id;
  }

  async scratchImage(config: ImageConfig = {}, labels?: Record<string, string>): Promise<string> {
    const v = await this.version();
    return this.loadConfig(
      {
        architecture: goArch(v.arch),
        os: v.os || 'linux',
        config: withLabels(config, labels),
        rootfs: { type: 'layers', diff_ids: [] },
        history: [],
      },
      'create scratch image',
    );
  }

  async configure(imageId: string, options: CommitOptions): Promise<string> {
    const parent = await this.rawConfig(imageId);
    const created = options.created ?? new Date().toISOString();
    return this.loadConfig(
      { ...childOf(parent, options, created), history: [...parent.history, historyEntry(options, created, true)] },
      `configure image ${shortId(imageId)}`,
    );
  }

  async saveImage(imageId: string): Promise<Readable> {
    return this.dial<Readable>(`save image ${imageId}`, {
      method: 'GET',
      path: `/images/${encodeURIComponent(imageId)}/get`,
      stream: true,
    });
  }

  async removeImage(imageId: string, options: { force?: boolean } = {}): Promise<void> {
    try {
      await this.dial(`remove image ${shortId(imageId)}`, {
        method: 'DELETE',
        path: `/images/${encodeURIComponent(imageId)}`,
        // noprune: only this image goes. Without it the engine also deletes its
        // untagged parents, which are other builds' snapshots (and cache hits).
        query: { force: options.force ? 1 : undefined, noprune: 1 },
      });
      this.rawConfigs.delete(imageId);
      this.drafts.delete(imageId);
    } catch (e) {
      if (e instanceof EngineError && e.statusCode === 404) return;
      throw e;
    }
  }

  async tag(imageId: string, ref: string): Promise<void> {
    const { repo, tag } = splitRef(ref);
    await this.dial(`tag image ${shortId(imageId)} as ${ref}`, {
      method: 'POST',
      path: `/images/${encodeURIComponent(imageId)}/tag`,
      query: { repo, tag },
    });
  }

  async listImages(labels: Record<string, string | undefined>): Promise<ImageSummary[]> {
    const list = await this.dial<{ Id: string; RepoTags?: string[] | null; Labels?: Record<string, string> | null }[]>(
      'list images',
      {
        method: 'GET',
        path: '/images/json',
        query: { all: 1, filters: JSON.stringify({ label: labelFilters(labels) }) },
      },
    );
    return (list ?? []).map((i) => ({
      id: i.Id,
      repoTags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      labels: i.Labels ?? {},
    }));
  }

  async removeImages(labels: Record<string, string | undefined>): Promise<number> {
    // Children must go before their parents; a few passes settle any order.
    let removed = 0;
    for (let pass = 0; pass < 5; pass++) {
      const images = await this.listImages(labels);
      if (images.length === 0) break;
      let progress = false;
      for (const image of images) {
        try {
          await this.removeImage(image.id, { force: true });
          removed++;
          progress = true;
        } catch (e) {
          if (!(e instanceof EngineError && e.statusCode === 409)) throw e;
        }
      }
      if (!progress) break;
    }
    return removed;
  }

  // ---- containers -------------------------------------------------------

  async createContainer(spec: ContainerSpec): Promise<ContainerRef> {
    if (!spec.buildId)
      throw new UserError('internal: a container needs a build id (its cleanup label)', ENGINE_EXIT_CODE);
    const labels = { ...spec.labels, [LABEL_OWNER]: 'true', [LABEL_BUILD]: spec.buildId };
    const mounts: Record<string, unknown>[] = [];
    let secretDir: string | undefined;
    for (const m of spec.mounts ?? []) {
      switch (m.type) {
        case 'bind':
          mounts.push({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly ?? false });
          break;
        case 'tmpfs':
          mounts.push({
            Type: 'tmpfs',
            Target: m.target,
            TmpfsOptions: {
              ...(m.sizeBytes ? { SizeBytes: m.sizeBytes } : {}),
              ...(m.mode !== undefined ? { Mode: m.mode } : {}),
            },
          });
          break;
        case 'cache':
          mounts.push({
            Type: 'volume',
            Source: cacheVolumeName(m.id),
            Target: m.target,
            ReadOnly: m.readOnly ?? false,
            VolumeOptions: { Labels: { [LABEL_OWNER]: 'true', [LABEL_CACHE]: m.id } },
          });
          break;
        case 'secret': {
          if (!this.where.local) {
            throw new UserError(
              `secret mounts need an engine on this machine (a unix socket); ${this.endpoint} is remote`,
              ENGINE_EXIT_CODE,
            );
          }
          secretDir ??= mkdtempSync(path.join(os.tmpdir(), 'scannable-secret-'));
          const file = path.join(secretDir, `s${mounts.length}`);
          writeFileSync(file, m.content, { mode: 0o600 });
          chmodSync(file, m.mode ?? 0o400);
          if (m.uid !== undefined || m.gid !== undefined) chownSync(file, m.uid ?? 0, m.gid ?? 0);
          mounts.push({ Type: 'bind', Source: file, Target: m.target, ReadOnly: true });
          break;
        }
      }
    }
    const body: Record<string, unknown> = {
      Image: spec.image,
      Labels: labels,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint.length ? spec.entrypoint : [''] } : {}),
      ...(spec.env ? { Env: spec.env } : {}),
      ...(spec.user !== undefined ? { User: spec.user } : {}),
      ...(spec.workingDir !== undefined ? { WorkingDir: spec.workingDir } : {}),
      ...(spec.shell ? { Shell: spec.shell } : {}),
      ...(spec.hostname ? { Hostname: spec.hostname } : {}),
      HostConfig: {
        ...(spec.networkMode && spec.networkMode !== 'default' ? { NetworkMode: spec.networkMode } : {}),
        ...(mounts.length ? { Mounts: mounts } : {}),
      },
    };
    const create = (b: Record<string, unknown>) =>
      this.dial<{ Id: string }>(`create container from ${shortId(spec.image)}`, {
        method: 'POST',
        path: '/containers/create',
        query: { name: spec.name },
        body: b,
      });
    let created: { Id: string };
    try {
      try {
        created = await create(body);
      } catch (e) {
        // An image without Cmd/Entrypoint: fine for a container we only write to or read from.
        if (!(e instanceof EngineError && /no command specified/i.test(e.engineMessage))) throw e;
        created = await create({ ...body, Cmd: NEVER_STARTED_CMD });
      }
    } catch (e) {
      if (secretDir) rmSync(secretDir, { recursive: true, force: true });
      throw e;
    }
    if (secretDir) this.secretDirs.set(created.Id, secretDir);
    this.containerOrigins.set(created.Id, { image: spec.image, buildId: spec.buildId });
    const mountpoints = spec.mounts?.length ? await this.mountpointsFor(spec, labels) : [];
    return { id: created.Id, mountpoints };
  }

  /**
   * Mount targets absent from the image. Asked of a probe container without
   * mounts: the archive API mounts a container's volumes to answer, which
   * would create the very mountpoints we are looking for.
   */
  private async mountpointsFor(spec: ContainerSpec, labels: Record<string, string>): Promise<string[]> {
    const probe = await this.dial<{ Id: string }>(`create container from ${shortId(spec.image)}`, {
      method: 'POST',
      path: '/containers/create',
      body: { Image: spec.image, Labels: labels, Cmd: NEVER_STARTED_CMD },
    });
    try {
      const out: string[] = [];
      for (const m of spec.mounts ?? []) {
        const missing = await this.missingAncestor(probe.Id, m.target);
        if (missing && !out.includes(missing)) out.push(missing);
      }
      return out;
    } finally {
      await this.removeContainer(probe.Id);
    }
  }

  /** The topmost path on the way to `target` that does not exist in the container yet, if any. */
  private async missingAncestor(containerId: string, target: string): Promise<string | undefined> {
    let missing: string | undefined;
    for (let p = path.posix.normalize(target); p !== '/' && p !== '.'; p = path.posix.dirname(p)) {
      if (await this.pathExists(containerId, p)) break;
      missing = p;
    }
    return missing;
  }

  private async pathExists(containerId: string, p: string): Promise<boolean> {
    try {
      await this.dial(`stat ${p} in container ${shortId(containerId)}`, {
        method: 'HEAD',
        path: `/containers/${containerId}/archive`,
        query: { path: p },
      });
      return true;
    } catch (e) {
      if (e instanceof EngineError && e.statusCode === 404) return false;
      throw e;
    }
  }

  async putArchive(containerId: string, p: string, archive: Buffer | Readable): Promise<void> {
    await this.dial(`copy files into container ${shortId(containerId)} at ${p}`, {
      method: 'PUT',
      path: `/containers/${containerId}/archive`,
      query: { path: p, noOverwriteDirNonDir: 1 },
      file: archive,
      contentType: 'application/x-tar',
    });
  }

  async run(containerId: string, options: RunOptions = {}): Promise<RunResult> {
    const started = Date.now();
    const { signal, timeoutMs } = options;
    if (signal?.aborted) {
      await this.removeContainer(containerId);
      throw new StepCanceledError(containerId);
    }
    let stopReason: 'canceled' | 'timeout' | undefined;
    const waitAbort = new AbortController();
    const stop = (reason: 'canceled' | 'timeout') => {
      if (stopReason) return;
      stopReason = reason;
      waitAbort.abort();
    };
    // Listening from here on, not only once the wait is asked: a signal that comes while the output
    // is attached would otherwise be missed, and the step would run to its end.
    const onAbort = () => stop('canceled');
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = timeoutMs !== undefined ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
    let output: IncomingMessage | undefined;
    try {
      // Attach before start, so not a byte of output is missed.
      output = await this.dial<IncomingMessage>(`attach to container ${shortId(containerId)}`, {
        method: 'POST',
        path: `/containers/${containerId}/attach`,
        query: { stream: 1, stdout: 1, stderr: 1 },
        stream: true,
        untimed: true,
      });
      const attached = output;
      const outputDone = new Promise<void>((resolve) => {
        const demux = new StdioDemuxer(options.onStdout, options.onStderr);
        attached.on('data', (chunk: Buffer) => demux.push(chunk));
        attached.on('end', resolve);
        attached.on('close', resolve);
        attached.on('error', () => resolve());
      });
      let exitCode = -1;
      if (!stopReason) {
        await this.dial(`start container ${shortId(containerId)}`, {
          method: 'POST',
          path: `/containers/${containerId}/start`,
        });
        options.onStarted?.();
        try {
          const res = await this.dial<{ StatusCode: number; Error?: { Message?: string } | null }>(
            `wait for container ${shortId(containerId)}`,
            { method: 'POST', path: `/containers/${containerId}/wait`, signal: waitAbort.signal, untimed: true },
          );
          exitCode = res.StatusCode;
          if (res.Error?.Message)
            throw new EngineError(`wait for container ${shortId(containerId)}`, res.Error.Message);
        } catch (e) {
          if (!stopReason) throw e;
        }
      }
      if (stopReason) {
        output.destroy();
        await this.removeContainer(containerId);
        throw stopReason === 'timeout'
          ? new StepTimeoutError(containerId, timeoutMs ?? 0)
          : new StepCanceledError(containerId);
      }
      // The wait answers when the process exits; the last output may still be in flight.
      await Promise.race([outputDone, delay(5_000)]);
      return { exitCode, durationMs: Date.now() - started };
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      output?.destroy();
    }
  }

  async changes(containerId: string): Promise<Change[]> {
    const list = await this.dial<{ Path: string; Kind: number }[] | null>(
      `changes of container ${shortId(containerId)}`,
      {
        method: 'GET',
        path: `/containers/${containerId}/changes`,
      },
    );
    // A container that changed nothing answers null.
    return (Array.isArray(list) ? list : []).map((c) => ({
      path: c.Path,
      kind: c.Kind === 1 ? 'added' : c.Kind === 2 ? 'deleted' : 'modified',
    }));
  }

  async commit(containerId: string, options: CommitOptions): Promise<string> {
    const op = `commit container ${shortId(containerId)}`;
    const origin = this.containerOrigins.get(containerId) ?? (await this.containerOrigin(containerId));
    const parent = await this.rawConfig(await this.resolveImage(origin.image));
    // A copy: the caller goes on changing its config for the next steps.
    const intended = structuredClone(withLabels(options.config, options.labels));
    // The engine adds the container's labels the body lacks: its build label would mark a
    // snapshot as something a failed build leaves behind, so the body names it first.
    const labels = { [LABEL_BUILD]: snapshotLabel(origin.buildId), ...intended.Labels };
    const { Id: committed } = await this.dial<{ Id: string }>(op, {
      method: 'POST',
      path: '/commit',
      query: { container: containerId, pause: false },
      body: { ...intended, Labels: labels },
    });
    const layers = ((await this.inspectImageRaw(committed))?.RootFS as { Layers?: string[] } | undefined)?.Layers ?? [];
    const created = options.created ?? new Date().toISOString();
    const emptyLayer = layers.length === parent.rootfs.diff_ids.length;
    this.rawConfigs.set(committed, {
      ...childOf(parent, { ...options, config: intended, labels: {} }, created),
      rootfs: { type: 'layers', diff_ids: layers },
      history: [...parent.history, historyEntry(options, created, emptyLayer)],
    });
    this.drafts.add(committed);
    return committed;
  }

  async materialize(imageId: string): Promise<string> {
    if (!this.drafts.has(imageId)) return imageId;
    return this.loadConfig(await this.rawConfig(imageId), `write the config of image ${shortId(imageId)}`);
  }

  draftRecord(imageId: string): string | undefined {
    const doc = this.drafts.has(imageId) ? this.rawConfigs.get(imageId) : undefined;
    if (!doc) return undefined;
    const { config: _config, ...rest } = doc;
    return JSON.stringify(rest);
  }

  restoreDraft(imageId: string, record: string, config: ImageConfig): boolean {
    let rest: Omit<RawImageConfig, 'config'>;
    try {
      rest = JSON.parse(record) as Omit<RawImageConfig, 'config'>;
    } catch {
      return false;
    }
    if (
      !rest ||
      typeof rest !== 'object' ||
      typeof rest.architecture !== 'string' ||
      !Array.isArray(rest.rootfs?.diff_ids) ||
      !Array.isArray(rest.history)
    )
      return false;
    const doc: RawImageConfig = { ...rest, config };
    this.rawConfigs.set(imageId, doc);
    this.drafts.add(imageId);
    return true;
  }

  private async containerOrigin(containerId: string): Promise<{ image: string; buildId: string }> {
    const info = await this.dial<{ Image: string; Config?: { Labels?: Record<string, string> | null } }>(
      `inspect container ${shortId(containerId)}`,
      {
        method: 'GET',
        path: `/containers/${containerId}/json`,
      },
    );
    return { image: info.Image, buildId: info.Config?.Labels?.[LABEL_BUILD] ?? '' };
  }

  async getArchive(containerId: string, p: string): Promise<Readable> {
    return this.dial<Readable>(`copy ${p} out of container ${shortId(containerId)}`, {
      method: 'GET',
      path: `/containers/${containerId}/archive`,
      query: { path: p },
      stream: true,
    });
  }

  async statPath(containerId: string, p: string): Promise<FileEntry | undefined> {
    const docker = await this.client();
    const res = await new Promise<
      { statusCode?: number; headers: Record<string, string | string[] | undefined>; resume(): void } | undefined
    >((resolve, reject) => {
      docker.modem.dial(
        {
          path: `/containers/${containerId}/archive?`,
          method: 'HEAD',
          options: { _query: { path: p } },
          isStream: true,
          statusCodes: { 200: true, 404: true },
        },
        (err: DialError | null, data: unknown) => {
          if (err) {
            // A missing path is a 404 whose body the modem cannot read on HEAD.
            if ((err as { statusCode?: number }).statusCode === 404) resolve(undefined);
            else reject(this.toError(`stat ${p} in container ${shortId(containerId)}`, err));
          } else resolve(data as never);
        },
      );
    });
    if (!res) return undefined;
    res.resume();
    if (res.statusCode === 404) return undefined;
    const header = res.headers['x-docker-container-path-stat'];
    if (typeof header !== 'string') return undefined;
    const st = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as {
      name: string;
      size: number;
      mode: number;
      mtime: string;
      linkTarget?: string;
    };
    return goStatToEntry(p, st);
  }

  async exportContainer(containerId: string): Promise<Readable> {
    return this.dial<Readable>(`export container ${shortId(containerId)}`, {
      method: 'GET',
      path: `/containers/${containerId}/export`,
      stream: true,
    });
  }

  async readImage(imageId: string, p: string | undefined, buildId: string): Promise<Readable> {
    const { id } = await this.createContainer({ image: imageId, buildId, cmd: NEVER_STARTED_CMD });
    let source: Readable;
    try {
      source = p === undefined ? await this.exportContainer(id) : await this.getArchive(id, p);
    } catch (e) {
      await this.removeContainer(id);
      throw e;
    }
    // Hand out a stream we own, so the container goes exactly once, before the caller sees the end.
    let removal: Promise<void> | undefined;
    const remove = () => (removal ??= this.removeContainer(id).catch(() => undefined));
    const out = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        cb(null, chunk);
      },
      flush(cb) {
        void remove().then(() => cb());
      },
    });
    source.on('error', (e) => {
      // The container is gone before anyone hears of the failure (and cleans up after it).
      const err = this.toError(`read image ${shortId(imageId)}`, e);
      void remove().then(() => out.destroy(err));
    });
    out.on('close', () => {
      source.destroy();
      void remove();
    });
    source.pipe(out);
    return out;
  }

  async removeContainer(containerId: string): Promise<void> {
    try {
      await this.dial(`remove container ${shortId(containerId)}`, {
        method: 'DELETE',
        path: `/containers/${containerId}`,
        query: { force: 1, v: 1 },
      });
    } catch (e) {
      if (e instanceof EngineError && e.statusCode === 409 && /already in progress/i.test(e.engineMessage))
        await this.waitGone(containerId);
      else if (!(e instanceof EngineError && e.statusCode === 404)) throw e;
    } finally {
      this.containerOrigins.delete(containerId);
      const dir = this.secretDirs.get(containerId);
      if (dir) {
        rmSync(dir, { recursive: true, force: true });
        this.secretDirs.delete(containerId);
      }
    }
  }

  /** Someone else is removing the container: wait (up to 30 s) until it is gone. */
  private async waitGone(containerId: string): Promise<void> {
    for (let i = 0; i < 150; i++) {
      try {
        await this.dial(`inspect container ${shortId(containerId)}`, {
          method: 'GET',
          path: `/containers/${containerId}/json`,
        });
      } catch (e) {
        if (e instanceof EngineError && e.statusCode === 404) return;
        throw e;
      }
      await delay(200);
    }
    throw new EngineError(
      `remove container ${shortId(containerId)}`,
      'its removal, started elsewhere, did not finish within 30 s',
    );
  }

  async listContainers(labels: Record<string, string | undefined>): Promise<ContainerSummary[]> {
    const list = await this.dial<
      { Id: string; Names?: string[]; Image: string; State: string; Labels?: Record<string, string> }[]
    >('list containers', {
      method: 'GET',
      path: '/containers/json',
      query: { all: 1, filters: JSON.stringify({ label: labelFilters(labels) }) },
    });
    return (list ?? []).map((c) => ({
      id: c.Id,
      names: (c.Names ?? []).map((n) => n.replace(/^\//, '')),
      image: c.Image,
      state: c.State,
      labels: c.Labels ?? {},
    }));
  }

  async removeContainers(labels: Record<string, string | undefined>): Promise<number> {
    if (Object.keys(labels).length === 0)
      throw new UserError('internal: refusing to remove containers without a label filter', ENGINE_EXIT_CODE);
    const list = await this.listContainers(labels);
    for (const c of list) await this.removeContainer(c.id);
    return list.length;
  }
}

// ---- helpers ---------------------------------------------------------------

/**
 * Splits the engine's multiplexed stdout/stderr stream: frames of an 8-byte
 * header (stream type, 3 zero bytes, big-endian length) and a payload, which
 * may arrive split across or packed into chunks.
 */
export class StdioDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  constructor(
    private readonly onStdout?: (chunk: Buffer) => void,
    private readonly onStderr?: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const type = this.pending[0]!;
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) return;
      const payload = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      if (type === 2) this.onStderr?.(payload);
      else if (type === 1 || type === 0) this.onStdout?.(payload);
    }
  }
}

/** An inspected image's or container's overlay2 directories; undefined under another storage driver. */
function overlayDirs(raw: Record<string, unknown> | undefined): { UpperDir: string; LowerDir?: string } | undefined {
  const driver = raw?.GraphDriver as { Name?: string; Data?: Record<string, string> | null } | undefined;
  if (driver?.Name !== 'overlay2' || !driver.Data?.UpperDir) return undefined;
  return { UpperDir: driver.Data.UpperDir, ...(driver.Data.LowerDir ? { LowerDir: driver.Data.LowerDir } : {}) };
}

/** Whether this process may read a storage directory: not another machine's path, nor one a rootless setup keeps from it. */
function readableDir(dir: string): boolean {
  try {
    accessSync(dir, fsConstants.R_OK | fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The connection options with an agent of our own where no TLS is spoken (a
 * unix socket, plain TCP): one that says there is no TLS server name, which
 * spares Node working one out from the host for every request (its first
 * IP-literal check compiles a regex: ~15 ms of a build's start-up). Keep-alive
 * as Node's global agent does.
 */
export function withPlainAgent(options: Endpoint['options']): Endpoint['options'] {
  if (options.agent || options.protocol === 'https' || options.protocol === 'ssh') return options;
  const agent = new http.Agent({ keepAlive: true, servername: '' } as http.AgentOptions);
  // docker-modem formats every request's options with util.inspect (showHidden, no depth limit) for
  // its debug log, whether or not that log is on: the agent's idle sockets and all their internals
  // were a quarter of a second of a build's main thread.
  Object.defineProperty(agent, inspect.custom, { value: () => 'http.Agent (keep-alive)' });
  return { ...options, agent: agent as unknown as https.Agent };
}

/** The modem hands back bodies it could not parse (or that parsed to null) as raw bytes. */
function decodeBody(data: unknown): unknown {
  if (!Buffer.isBuffer(data)) return data;
  const text = data.toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function historyEntry(options: CommitOptions, created: string, emptyLayer: boolean): RawHistoryEntry {
  return {
    created,
    ...(options.createdBy ? { created_by: options.createdBy } : {}),
    ...(options.author ? { author: options.author } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
    ...(emptyLayer ? { empty_layer: true } : {}),
  };
}

/** The config fields an image keeps, without the container-only ones inspect adds (Hostname, Attach*, ...). */
function pickConfig(value: unknown): ImageConfig {
  const c = (value ?? {}) as Record<string, unknown>;
  const out: ImageConfig = {};
  if (typeof c.User === 'string' && c.User) out.User = c.User;
  if (c.ExposedPorts && Object.keys(c.ExposedPorts).length) out.ExposedPorts = c.ExposedPorts as Record<string, object>;
  if (Array.isArray(c.Env) && c.Env.length) out.Env = c.Env as string[];
  if (Array.isArray(c.Entrypoint)) out.Entrypoint = c.Entrypoint as string[];
  if (Array.isArray(c.Cmd)) out.Cmd = c.Cmd as string[];
  if (c.Volumes && Object.keys(c.Volumes).length) out.Volumes = c.Volumes as Record<string, object>;
  if (typeof c.WorkingDir === 'string' && c.WorkingDir) out.WorkingDir = c.WorkingDir;
  if (c.Labels && Object.keys(c.Labels).length) out.Labels = c.Labels as Record<string, string>;
  if (typeof c.StopSignal === 'string' && c.StopSignal) out.StopSignal = c.StopSignal;
  if (c.Healthcheck) out.Healthcheck = c.Healthcheck as ImageConfig['Healthcheck'];
  if (Array.isArray(c.Shell) && c.Shell.length) out.Shell = c.Shell as string[];
  if (Array.isArray(c.OnBuild) && c.OnBuild.length) out.OnBuild = c.OnBuild as string[];
  if (c.ArgsEscaped === true) out.ArgsEscaped = true;
  return out;
}

/** A child's config document: the parent's, without what described the parent itself. */
function childOf(parent: RawImageConfig, options: CommitOptions, created: string): RawImageConfig {
  const { author: _author, comment: _comment, ...rest } = parent;
  return {
    ...rest,
    created,
    ...(options.author ? { author: options.author } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
    config: withLabels(options.config, options.labels),
  };
}

function withLabels(config: ImageConfig, labels?: Record<string, string>): ImageConfig {
  if (!labels || Object.keys(labels).length === 0) return config;
  return { ...config, Labels: { ...config.Labels, ...labels } };
}

function labelFilters(labels: Record<string, string | undefined>): string[] {
  return Object.entries(labels).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
}

/** Volume names allow [a-zA-Z0-9][a-zA-Z0-9_.-]; a hash keeps distinct ids distinct. */
/** Go's os.FileMode bits (as the archive stat header carries them) to a FileEntry. */
export function goStatToEntry(
  p: string,
  st: { size: number; mode: number; mtime: string; linkTarget?: string },
): FileEntry {
  const m = st.mode >>> 0;
  const kind: FileEntry['kind'] =
    m & 0x80000000
      ? 'dir'
      : m & 0x08000000
        ? 'symlink'
        : m & 0x02000000
          ? 'fifo'
          : m & 0x01000000
            ? 'socket'
            : m & 0x04000000
              ? m & 0x00200000
                ? 'char'
                : 'block'
              : 'file';
  let mode = m & 0o777;
  if (m & 0x00800000) mode |= 0o4000;
  if (m & 0x00400000) mode |= 0o2000;
  if (m & 0x00100000) mode |= 0o1000;
  return {
    path: p,
    kind,
    mode,
    uid: 0,
    gid: 0,
    size: st.size,
    mtime: Math.floor(new Date(st.mtime).getTime() / 1000) || 0,
    ...(kind === 'symlink' && st.linkTarget ? { linkTarget: st.linkTarget } : {}),
  };
}

export function cacheVolumeName(id: string): string {
  const safe = id
    .replace(/[^a-zA-Z0-9_.-]+/g, '-')
    .replace(/^[^a-zA-Z0-9]+/, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 12);
  return `scannable-cache-${safe ? `${safe}-` : ''}${hash}`;
}

function splitRef(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) throw new UserError(`cannot tag an image with a digest reference (${ref})`, ENGINE_EXIT_CODE);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}

function shortId(id: string): string {
  const hex = id.replace(/^sha256:/, '');
  return /^[0-9a-f]{64}$/.test(hex) ? hex.slice(0, 12) : id;
}

function goArch(nodeArch: string): string {
  return (
    nodeArch ||
    ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' } as Record<string, string>)[process.arch] ||
    process.arch
  );
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
