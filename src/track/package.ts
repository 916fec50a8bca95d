/**
 * The package model every cataloger produces: one installed package as its
 * package manager's database (or the artefact's own metadata) describes it.
 * Nothing here is guessed: a field the metadata does not state stays undefined,
 * and a license that cannot be determined is recorded as unknown with a reason.
 */

export type Ecosystem = 'deb' | 'apk' | 'rpm' | 'python' | 'npm' | 'gem' | 'golang';

/** How sure we are that a license statement means what the expression says. */
export type LicenseConfidence =
  /** Declared in a structured field (DEP-5 License:, package.json, METADATA, rpm LICENSE...). */
  | 'declared'
  /** Derived from a reference in free text, with the version qualifier stated there. */
  | 'inferred'
  /** Derived from a reference in free text, version qualifier not stated next to it. */
  | 'weak';

/** One license statement and where it was found. */
export interface LicenseEvidence {
  /** A valid SPDX expression; unmappable names become LicenseRef-* ids. */
  expression: string;
  /** The statement exactly as the metadata wrote it (e.g. "GPL-2+ with Autoconf exception"). */
  original: string;
  /** File in the snapshot the statement came from. */
  path: string;
  /** The field or construct inside that file ("License", "Files: src/*", "classifier", ...). */
  field?: string;
  confidence: LicenseConfidence;
}

/** A license's full text as found in the image (printed once in the attribution file). */
export interface LicenseText {
  /** The SPDX id, LicenseRef-* or (for a package-wide LICENSE file) expression this text belongs to. */
  id: string;
  /** The name the source used (a Debian short name, a classifier...). */
  name: string;
  text: string;
  /** File in the snapshot the text came from. */
  path: string;
}

export interface SourcePackage {
  name: string;
  version?: string;
}

export interface Package {
  ecosystem: Ecosystem;
  name: string;
  version?: string;
  /** Architecture as the ecosystem spells it (amd64, x86_64, noarch, all...). */
  arch?: string;
  /** Package URL (ECMA-427 canonical form). */
  purl: string;
  /** Every license statement found, in the order found; empty when unknown. */
  licenses: LicenseEvidence[];
  /**
   * The package's license as one valid SPDX expression: the AND of the distinct
   * statements the cataloger relies on (dpkg: every Files paragraph; Python:
   * License-Expression, else a License name, else classifiers). Undefined when unknown.
   */
  licenseExpression?: string;
  /** Why the license is unknown (set exactly when licenseExpression is undefined). */
  licenseUnknownReason?: string;
  /** Full texts of licenses found next to the metadata (DEP-5 stand-alone paragraphs...). */
  licenseTexts: LicenseText[];
  /** Copyright notices, verbatim, deduplicated. */
  copyrights: string[];
  /** Maintainer, vendor or author as the metadata names it. */
  supplier?: string;
  homepage?: string;
  /** Version control location when the metadata gives one (npm repository, gem source...). */
  vcs?: string;
  /** Source package (deb Source:, rpm SOURCERPM, apk origin). */
  source?: SourcePackage;
  /** Names of packages this one depends on, as declared (versions and alternatives dropped). */
  dependencies: string[];
  /** Paths the package database says this package installed (as listed, not resolved). */
  files: string[];
  /** Digests the package database records for its files ("md5:<hex>", "sha1:<hex>", "sha256:<hex>"), by listed path. */
  fileDigests?: Record<string, string>;
  /** Where the package's metadata was found in the snapshot. */
  metadataPath: string;
  /** Other metadata files read for this package (file lists, copyright files). */
  evidencePaths: string[];
  /** Ecosystem-specific extras worth keeping (epoch, multi-arch, go version...). */
  properties: Record<string, string>;
}

/** Fills the bookkeeping fields so catalogers only state what they found. */
export function newPackage(
  init: Pick<Package, 'ecosystem' | 'name' | 'purl' | 'metadataPath'> & Partial<Package>,
): Package {
  return {
    licenses: [],
    licenseTexts: [],
    copyrights: [],
    dependencies: [],
    files: [],
    evidencePaths: [],
    properties: {},
    ...init,
  };
}

/** A stable identity for deduplication and maps (purl plus where it was found). */
export function packageKey(p: Package): string {
  return `${p.purl} ${p.metadataPath}`;
}
