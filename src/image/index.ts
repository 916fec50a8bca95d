/**
 * SBOMs for images built elsewhere (`docker build`, or any image in the
 * engine or in a docker-archive / OCI-layout tarball):
 *
 *   image -> layers (archive.ts, layer-index.ts, tar-stream.ts)
 *         -> stacked file system + per-layer changes (layered-fs.ts)
 *         -> with -f: history entries matched to Dockerfile ops (dockerfile.ts, history.ts)
 *         -> with --context: copy layers' files matched to context files (context-match.ts)
 *         -> Tracker -> Provenance (trace.ts) -> CycloneDX (src/sbom)
 */
import type { Engine } from '../execute/engine.js';
import { DockerEngine } from '../execute/docker-engine.js';
import { provenanceToCycloneDX } from '../sbom/cyclonedx.js';
import { ContextMatcher } from './context-match.js';
import { loadDockerfile } from './dockerfile.js';
import { openImage } from './source.js';
import { traceImage, type TraceResult } from './trace.js';
import path from 'node:path';

export { readImageArchive, type ImageArchive, type ImageConfigDocument, type ImageLayer } from './archive.js';
export { LayerIndex } from './layer-index.js';
export { LayeredFs, type LayerChange, type LayerView } from './layered-fs.js';
export { TarParser, type TarHeader, type EntrySink } from './tar-stream.js';
export { alignHistory, matchStrength, parseCreatedBy, layersOfHistory, type AlignEvent, type Builder, type ExpectedOp, type ParsedHistory, type Strength } from './history.js';
export { loadDockerfile, type DockerfileChain, type DockerfileOptions } from './dockerfile.js';
export { ContextMatcher, type LayerMatch } from './context-match.js';
export { openImage, isArchivePath, type OpenedImage } from './source.js';
export { traceImage, chainId, type HistoryMapping, type TraceOptions, type TraceResult } from './trace.js';
export { startValidator, type SbomValidator } from './validator.js';

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
  tool: { name: string; version: string };
}

export interface ImageSbomResult extends TraceResult {
  sbom: Record<string, unknown>;
  /** How the image was read. */
  source: { kind: 'engine' | 'archive'; label: string; format: 'docker-archive' | 'oci-layout' };
}

/** Reads the image, traces it and writes its CycloneDX 1.6 document (not validated: see `startValidator`). */
export async function imageSbom(o: ImageSbomOptions): Promise<ImageSbomResult> {
  // The Dockerfile and the context are checked before the (slow) image read, so mistakes surface at once.
  const dockerfile = o.dockerfile ? loadDockerfile(o.dockerfile, { ...(o.buildArgs ? { buildArgs: o.buildArgs } : {}), ...(o.target !== undefined ? { target: o.target } : {}) }) : undefined;
  const context = o.context ? ContextMatcher.open(o.context, o.dockerfile ? relativeInside(o.context, o.dockerfile) : undefined) : undefined;
  let engine = o.engine;
  const getEngine = (): Engine => (engine ??= new DockerEngine());
  const opened = await openImage(o.image, getEngine);
  try {
    // A tarball needs no engine; one is asked about the base image only if it is there to ask.
    const traced = await traceImage({
      archive: opened.archive,
      label: opened.label,
      tags: opened.tags,
      ...(dockerfile ? { dockerfile } : {}),
      ...(context ? { context } : {}),
      ...(engine || dockerfile ? { engine: getEngine() } : {}),
      tool: o.tool,
    });
    const sbom = provenanceToCycloneDX(traced.provenance, opened.tags[0] ? { imageRef: opened.tags[0] } : {});
    return { ...traced, sbom, source: { kind: opened.kind, label: opened.label, format: opened.archive.format } };
  } finally {
    opened.archive.close();
  }
}

/** The Dockerfile's path relative to the context, when it lies inside it. */
function relativeInside(context: string, file: string): string | undefined {
  const rel = path.relative(path.resolve(context), path.resolve(file));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : undefined;
}
