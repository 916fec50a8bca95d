/**
 * `imageSbom`: an image built elsewhere -> its CycloneDX 1.6 document.
 *
 * Order matters for the wait: the Dockerfile and the context are checked
 * first (mistakes surface at once), then the image is asked of the engine,
 * and the tracker and SBOM writer load while the engine prepares the image
 * (`docker save` takes a second or more before its first byte).
 */
import path from 'node:path';
import type { Engine } from '../engine/types.js';
import { DockerEngine } from '../engine/docker/client.js';
import { peekArchiveFile } from './archive.js';
import { defaultCacheDir, LayerCache } from '../snapshot/layer-cache.js';
import { ContextMatcher } from './context-match.js';
import { loadDockerfile } from './dockerfile.js';
import {
  isArchivePath,
  openArchiveFile,
  openCachedImage,
  openEngineImage,
  resolveEngineImage,
  type OpenedImage,
} from './source.js';
import type { TraceResult } from './trace.js';

export interface ImageSbomOptions {
  /** An image in the engine (name, name:tag or id), or the path of a docker-archive / OCI-layout tarball. */
  image: string;
  /** The Dockerfile the image was built from: layers then point at its instructions. */
  dockerfile?: string;
  /** The build context: files of COPY/ADD layers are matched to its files. */
  context?: string;
  buildArgs?: Record<string, string>;
  /** The Dockerfile stage the image is (default: the last one). */
  target?: string;
  /** Engine for image names and for finding the base image; default: DOCKER_HOST or the local socket. */
  engine?: Engine;
  /** Layer cache directory; false: no cache. Default: see cache.ts. */
  cache?: string | false;
  tool: { name: string; version: string };
}

export interface ImageSbomResult extends TraceResult {
  sbom: Record<string, unknown>;
  /** How the image was read. */
  source: { kind: OpenedImage['kind']; label: string; format: 'docker-archive' | 'oci-layout' };
}

/** The engine, unless even configuring one fails (a malformed DOCKER_HOST): a tarball is read without it. */
function optional(get: () => Engine): { engine?: Engine } {
  try {
    return { engine: get() };
  } catch {
    return {};
  }
}

/** The Dockerfile's path relative to the context, when it lies inside it. */
function relativeInside(context: string, file: string): string | undefined {
  const rel = path.relative(path.resolve(context), path.resolve(file));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : undefined;
}

/** Reads the image, traces it and writes its CycloneDX 1.6 document (not validated: see `startValidator`). */
export async function imageSbom(o: ImageSbomOptions): Promise<ImageSbomResult> {
  const dockerfile = o.dockerfile
    ? loadDockerfile(o.dockerfile, {
        ...(o.buildArgs ? { buildArgs: o.buildArgs } : {}),
        ...(o.target !== undefined ? { target: o.target } : {}),
      })
    : undefined;
  const context = o.context
    ? ContextMatcher.open(o.context, o.dockerfile ? relativeInside(o.context, o.dockerfile) : undefined)
    : undefined;
  let engine = o.engine;
  const getEngine = (): Engine => (engine ??= new DockerEngine());
  const cache = o.cache === false ? undefined : new LayerCache(o.cache ?? defaultCacheDir());

  const fromFile = isArchivePath(o.image);
  const id = fromFile ? undefined : await resolveEngineImage(o.image, getEngine());
  // A tarball's identity costs a few small reads; with its layers cached, the layers need not be read.
  const peek = fromFile && cache ? peekArchiveFile(o.image) : undefined;
  const cached = !cache
    ? undefined
    : id
      ? openCachedImage(o.image, id, cache)
      : peek
        ? openCachedImage(o.image, peek.id, cache, {
            configBytes: peek.configBytes,
            tags: peek.repoTags,
            label: o.image,
          })
        : undefined;
  const reading = cached ? undefined : fromFile ? openArchiveFile(o.image) : openEngineImage(o.image, id!, getEngine());
  // A failure to load is reported by whoever awaits; do not let it go unhandled meanwhile.
  reading?.catch(() => undefined);
  const [{ traceImage }, { provenanceToCycloneDX }] = await Promise.all([
    import('./trace.js'),
    import('../sbom/cyclonedx.js'),
  ]);

  const run = async (opened: OpenedImage): Promise<ImageSbomResult> => {
    const traced = await traceImage({
      archive: opened.archive,
      label: opened.label,
      tags: opened.tags,
      ...(dockerfile ? { dockerfile } : {}),
      ...(context ? { context } : {}),
      // A tarball needs no engine; one is asked about the base image only when there may be one.
      ...(engine || dockerfile ? optional(getEngine) : {}),
      tool: o.tool,
    });
    const sbom = provenanceToCycloneDX(traced.provenance, opened.tags[0] ? { imageRef: opened.tags[0] } : {});
    return { ...traced, sbom, source: { kind: opened.kind, label: opened.label, format: opened.archive.format } };
  };

  if (cached) {
    const result = await run(cached);
    // Complete only if nothing was asked of the cache that it does not hold; else read the real image.
    if (cached.archive.layers.every((l) => l.fs.misses === 0)) return result;
  }
  const opened = await (reading ?? (fromFile ? openArchiveFile(o.image) : openEngineImage(o.image, id!, getEngine())));
  try {
    const result = await run(opened);
    if (cache) {
      cache.store(
        opened.archive.id,
        opened.archive.configBytes,
        opened.archive.layers.map((l, i) => ({
          diffId: l.diffId,
          layer: l.fs.toCache(cached?.archive.layers[i]?.fs.readPaths() ?? []),
        })),
      );
    }
    return result;
  } finally {
    opened.archive.close();
  }
}
