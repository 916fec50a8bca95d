/** The execute layer's public surface: the engine, snapshot readers, and the build context. */
export * from './engine.js';
export {
  DockerEngine,
  MAX_API_VERSION,
  StdioDemuxer,
  cacheVolumeName,
  type DockerEngineOptions,
  type RawImageConfig,
} from './docker-engine.js';
export { resolveEndpoint, type Endpoint } from './docker-endpoint.js';
export { TarSnapshotFs, type TarFsOptions } from './tar-fs.js';
export { packTar, readAll } from './tar-util.js';
export { BuildContext, type ContextEntry, type ContextOptions } from './context/context.js';
export { PatternMatcher, parseDockerignore } from './context/dockerignore.js';
export { goMatch, containsWildcards, BadPatternError } from './context/go-match.js';
export {
  planCopy,
  type CopyOptions,
  type CopyPlan,
  type DestView,
  type ManifestEntry,
  type ManifestSource,
} from './context/copy.js';
export { idLookupFromFiles, parseChown, parseChmod, type IdLookup } from './context/ids.js';
export { detectCompression, readArchive, type Compression, type ArchiveMember } from './context/archive.js';
