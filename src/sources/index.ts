/**
 * What a license scanner must scan: the source of every component of an SBOM,
 * located (`locateSources`, offline), confirmed with the mirror and registries
 * (`resolveSources`), and fetched with verification (`fetchSources`).
 */
export {
  codenameOf,
  DEFAULT_MIRROR,
  DEFAULT_SECURITY_MIRROR,
  lookupDebSources,
  mirrorConfig,
  mirrorFromApt,
  parseAptSources,
  poolPrefix,
  type MirrorConfig,
} from './debian.js';
export {
  fetchSources,
  MANIFEST_VERSION,
  type FetchedFile,
  type FetchOptions,
  type FetchStatus,
  type Manifest,
  type ManifestEntry,
} from './fetch.js';
export { download, FetchError, type Downloaded, type Expected } from './http.js';
export {
  defaultCacheDir,
  locateSources,
  resolveSources,
  type LocateOptions,
  type ResolveOptions,
  type SourceKind,
  type SourceLocation,
} from './locate.js';
export { parsePurl, type ParsedPurl } from './purl.js';
export {
  DEFAULT_REGISTRIES,
  dirHash1,
  goEscape,
  npmTarballUrl,
  pypiSdistUrl,
  gemUrl,
  goModuleZipUrl,
  type RegistryConfig,
  type SourceFileSpec,
} from './registries.js';
export { entryLine, renderLocationsText, renderManifestSummary } from './report.js';
