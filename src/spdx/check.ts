/**
 * What the SPDX 2.3 JSON schema cannot check about a document: every
 * SPDXID is unique and every reference to one names an element of the
 * document, every LicenseRef used is declared, and each package's
 * verification code is the one its CONTAINS'd files give. Returns the
 * problems; none for a sound document.
 */
import { DOCUMENT_ID, type SpdxDocument } from './types.js';
import { packageVerificationCode } from './verification-code.js';

const LICENSE_REF = /LicenseRef-[A-Za-z0-9.-]+/g;
const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/;

export function checkSpdx(doc: SpdxDocument): string[] {
  const problems: string[] = [];
  const ids = new Set<string>([DOCUMENT_ID]);
  const elements = [...doc.packages, ...(doc.files ?? [])];
  for (const e of elements) {
    if (!SPDX_ID.test(e.SPDXID)) problems.push(`malformed SPDXID ${JSON.stringify(e.SPDXID)}`);
    if (ids.has(e.SPDXID)) problems.push(`SPDXID ${e.SPDXID} given twice`);
    ids.add(e.SPDXID);
  }
  for (const r of doc.relationships) {
    for (const id of [r.spdxElementId, r.relatedSpdxElement])
      if (!ids.has(id))
        problems.push(`relationship ${r.relationshipType} names ${id}, which the document does not hold`);
  }
  const declared = new Set((doc.hasExtractedLicensingInfos ?? []).map((x) => x.licenseId));
  for (const p of doc.packages) {
    for (const ref of [p.licenseDeclared, p.licenseConcluded].join(' ').match(LICENSE_REF) ?? [])
      if (!declared.has(ref))
        problems.push(`${p.SPDXID} uses ${ref}, which hasExtractedLicensingInfos does not declare`);
  }
  const sha1 = new Map((doc.files ?? []).map((f) => [f.SPDXID, f.checksums.find((c) => c.algorithm === 'SHA1')]));
  for (const f of doc.files ?? []) if (!sha1.get(f.SPDXID)) problems.push(`file ${f.fileName} has no SHA1 checksum`);
  const contained = new Map<string, string[]>();
  for (const r of doc.relationships) {
    if (r.relationshipType !== 'CONTAINS' || !sha1.has(r.relatedSpdxElement)) continue;
    contained.set(r.spdxElementId, [...(contained.get(r.spdxElementId) ?? []), r.relatedSpdxElement]);
  }
  for (const p of doc.packages) {
    const files = contained.get(p.SPDXID) ?? [];
    if (!p.filesAnalyzed) {
      if (files.length) problems.push(`${p.SPDXID} contains files but says filesAnalyzed: false`);
      if (p.packageVerificationCode) problems.push(`${p.SPDXID} has a verification code but no analyzed files`);
      continue;
    }
    const code = p.packageVerificationCode?.packageVerificationCodeValue;
    if (!code) {
      problems.push(`${p.SPDXID} says filesAnalyzed: true but has no verification code`);
      continue;
    }
    const expected = packageVerificationCode(files.map((f) => sha1.get(f)!.checksumValue));
    if (code !== expected) problems.push(`${p.SPDXID}: verification code ${code}, its files give ${expected}`);
  }
  return problems;
}
