/**
 * The parts of an SPDX 2.3 JSON document scannable writes, as the official
 * JSON schema names them. Optional fields are left out rather than written
 * empty, so a document holds only what we know.
 */

export const SPDX_VERSION = 'SPDX-2.3';
export const DOCUMENT_ID = 'SPDXRef-DOCUMENT';

/** `NOASSERTION`: we looked and cannot say; `NONE`: there is none. */
export type NoAssertion = 'NOASSERTION' | 'NONE';

export interface SpdxChecksum {
  algorithm: 'SHA1' | 'SHA256';
  checksumValue: string;
}

export interface SpdxAnnotation {
  annotationDate: string;
  annotationType: 'OTHER' | 'REVIEW';
  annotator: string;
  comment: string;
}

export interface SpdxExternalRef {
  referenceCategory: 'PACKAGE-MANAGER' | 'SECURITY' | 'PERSISTENT-ID' | 'OTHER';
  referenceType: string;
  referenceLocator: string;
}

export type PackagePurpose =
  'APPLICATION' | 'CONTAINER' | 'FILE' | 'LIBRARY' | 'OPERATING_SYSTEM' | 'SOURCE' | 'ARCHIVE' | 'OTHER';

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  supplier?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  packageVerificationCode?: { packageVerificationCodeValue: string };
  checksums?: SpdxChecksum[];
  homepage?: string;
  sourceInfo?: string;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  comment?: string;
  externalRefs?: SpdxExternalRef[];
  primaryPackagePurpose?: PackagePurpose;
  hasFiles?: string[];
  annotations?: SpdxAnnotation[];
}

export interface SpdxFile {
  SPDXID: string;
  /** Relative to the image root: `./usr/bin/jq`. */
  fileName: string;
  checksums: SpdxChecksum[];
  comment?: string;
  annotations?: SpdxAnnotation[];
}

export type RelationshipType =
  'DESCRIBES' | 'CONTAINS' | 'GENERATED_FROM' | 'BUILD_DEPENDENCY_OF' | 'DEPENDS_ON' | 'DESCENDANT_OF';

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: RelationshipType;
  relatedSpdxElement: string;
  comment?: string;
}

export interface SpdxExtractedLicense {
  licenseId: string;
  name?: string;
  extractedText: string;
  comment?: string;
}

export interface SpdxDocument {
  spdxVersion: typeof SPDX_VERSION;
  dataLicense: 'CC0-1.0';
  SPDXID: typeof DOCUMENT_ID;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[]; licenseListVersion?: string; comment?: string };
  comment?: string;
  packages: SpdxPackage[];
  files?: SpdxFile[];
  hasExtractedLicensingInfos?: SpdxExtractedLicense[];
  relationships: SpdxRelationship[];
}
