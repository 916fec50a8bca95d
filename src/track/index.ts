/** The tracker's package side: snapshot views, catalogers, license mapping and file ownership. */
export type { FileEntry, FileKind, SnapshotFs } from '../snapshot/fs.js';
export { DirFs } from '../snapshot/dir-fs.js';
export { MemoryFs, type MemoryNode } from '../snapshot/memory-fs.js';
export { canonicalPath, normalizePath } from '../snapshot/paths.js';
export type { Ecosystem, LicenseConfidence, LicenseEvidence, LicenseText, Package, SourcePackage } from './package.js';
export { formatPurl, type PurlParts } from './purl.js';
export { catalog, allCatalogers, type CatalogOptions, type CatalogResult } from './catalogers/index.js';
export type { Cataloger, ParseResult, Problem } from './catalogers/types.js';
export { isValidSpdx, normalizeSpdx, parseSpdx, andAll, licenseRef } from './licenses/spdx.js';
export { mapDebianLicense } from './licenses/debian.js';
export { mapDeclaredLicense } from './licenses/declared.js';
export { parseDebianCopyright, type CopyrightInfo } from './licenses/dep5.js';
export {
  mapOwnership,
  GENERATED_RULES,
  type Owner,
  type OwnershipReport,
  type GeneratedPath,
  type GeneratedRule,
} from './ownership.js';
