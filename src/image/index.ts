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
export { readImageArchive, type ImageArchive, type ImageConfigDocument, type ImageLayer } from './archive.js';
export { LayerIndex, type CachedLayer } from '../snapshot/layer-index.js';
export { LayeredFs, type LayerChange, type LayerView } from '../snapshot/layered-fs.js';
export { TarParser, type TarHeader, type EntrySink } from '../snapshot/tar-stream.js';
export {
  alignHistory,
  matchStrength,
  parseCreatedBy,
  layersOfHistory,
  type AlignEvent,
  type Builder,
  type ExpectedOp,
  type ParsedHistory,
  type Strength,
} from './history.js';
export { loadDockerfile, type DockerfileChain, type DockerfileOptions } from './dockerfile.js';
export { ContextMatcher, type LayerMatch } from './context-match.js';
export {
  isArchivePath,
  openArchiveFile,
  openCachedImage,
  openEngineImage,
  resolveEngineImage,
  type OpenedImage,
} from './source.js';
export { LayerCache, defaultCacheDir } from '../snapshot/layer-cache.js';
export { imageSbom, type ImageSbomOptions, type ImageSbomResult } from './sbom.js';
export { traceImage, chainId, type HistoryMapping, type TraceOptions, type TraceResult } from './trace.js';
export { startValidator, type SbomValidator } from '../sbom/validate.js';
