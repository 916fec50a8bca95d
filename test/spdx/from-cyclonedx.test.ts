/**
 * The converter on a hand-written SBOM shaped as scannable writes it, with
 * golden documents, and on the end-to-end SBOMs of examples/. Every document
 * validates against the official SPDX 2.3 schema and passes checkSpdx.
 * Regenerate the golden documents after a deliberate change:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/spdx
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSbom, prop, type Sbom } from '../../src/osl/sbom.js';
import { validateCycloneDX } from '../../src/sbom/cyclonedx.js';
import { idSafe } from '../../src/spdx/ids.js';
import { checkSpdx, type SpdxDocument, type SpdxPackage } from '../../src/spdx/index.js';
import { describeShared } from '../helpers/shared.js';
import { convert, convertFile, fakeImage, schemaErrors } from './helpers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(HERE, 'fixtures', 'small.cdx.json');
const GOLDEN = path.join(HERE, 'golden');
const EXAMPLES = path.join(HERE, '..', 'osl', 'golden', 'examples');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, doc: SpdxDocument): void {
  const file = path.join(GOLDEN, name);
  const text = JSON.stringify(doc, null, 2) + '\n';
  if (UPDATE) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const byName = (doc: SpdxDocument, name: string, purpose?: string): SpdxPackage => {
  const p = doc.packages.find((x) => x.name === name && (!purpose || x.primaryPackagePurpose === purpose));
  if (!p) throw new Error(`no package ${name}`);
  return p;
};
const related = (doc: SpdxDocument, a: string, type: string): string[] =>
  doc.relationships
    .filter((r) => r.spdxElementId === a && r.relationshipType === type)
    .map((r) => r.relatedSpdxElement);

describe('the hand-written fixture', () => {
  const text = readFileSync(FIXTURE, 'utf8');
  const sbom = parseSbom(text, FIXTURE);

  it('is a valid CycloneDX 1.6 document, as the writer makes them', async () => {
    expect(await validateCycloneDX(text)).toBeNull();
  });

  it('converts to the golden document without files, and with the files of an image', () => {
    const plain = convert(sbom);
    const withFiles = convert(sbom, fakeImage(['/usr/lib/x86_64-linux-gnu/libjq.so.1']));
    expect(checkSpdx(plain)).toEqual([]);
    expect(checkSpdx(withFiles)).toEqual([]);
    golden('small.spdx.json', plain);
    golden('small-files.spdx.json', withFiles);
  });

  it('describes the image, descended from the base the target stage starts from', () => {
    const doc = convert(sbom);
    expect(related(doc, 'SPDXRef-DOCUMENT', 'DESCRIBES')).toEqual(['SPDXRef-Image']);
    const image = byName(doc, 'example/small');
    expect(image).toMatchObject({ SPDXID: 'SPDXRef-Image', primaryPackagePurpose: 'CONTAINER' });
    expect(related(doc, 'SPDXRef-Image', 'DESCENDANT_OF')).toEqual([byName(doc, 'debian:bookworm').SPDXID]);
    expect(related(doc, byName(doc, 'debian:bookworm').SPDXID, 'CONTAINS')).toEqual([byName(doc, 'base-files').SPDXID]);
  });

  it('relates binaries to their source package, whose .dsc is their download location', () => {
    const doc = convert(sbom);
    const src = byName(doc, 'jq', 'SOURCE');
    expect(src.downloadLocation).toBe('http://deb.debian.org/debian/pool/main/j/jq/jq_1.6-2.1+deb12u2.dsc');
    expect(src.externalRefs?.[0]?.referenceLocator).toBe(
      'pkg:deb/debian/jq@1.6-2.1%2Bdeb12u2?arch=source&distro=debian-12',
    );
    for (const bin of ['jq', 'libjq1']) {
      const p = doc.packages.find((x) => x.name === bin && x.primaryPackagePurpose !== 'SOURCE')!;
      expect(related(doc, p.SPDXID, 'GENERATED_FROM')).toEqual([src.SPDXID]);
      expect(p.downloadLocation).toBe(src.downloadLocation);
    }
    expect(byName(doc, 'left-pad', 'LIBRARY').downloadLocation).toBe(
      'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
    );
    const git = doc.packages.find((p) => p.name.startsWith('https://example.org/tools.git'))!;
    expect(git.downloadLocation).toBe(`git+https://example.org/tools.git@${'c'.repeat(40)}`);
    expect(byName(doc, 'hello.sh').downloadLocation).toBe('NOASSERTION');
  });

  it('gives each package its Dockerfile step and line, and marks build-only components', () => {
    const doc = convert(sbom);
    const jq = doc.packages.find((x) => x.name === 'jq' && x.primaryPackagePurpose === 'LIBRARY')!;
    expect(jq.annotations?.[0]?.comment.split('\n')).toEqual([
      'scannable:origin=package',
      'scannable:step=s1.1',
      'scannable:line=4',
      'scannable:stage=1',
      'scannable:source-package=jq@1.6-2.1+deb12u2',
      'scannable:dockerfile=Dockerfile:4-5',
      'scannable:instruction=RUN apt-get update && apt-get install -y jq',
    ]);
    expect(jq.sourceInfo).toBe('installed by Dockerfile:4-5 (step s1.1)');
    expect(byName(doc, 'base-files').sourceInfo).toBe('came with the base image debian:bookworm');
    const gcc = byName(doc, 'gcc-12', 'LIBRARY');
    expect(related(doc, gcc.SPDXID, 'BUILD_DEPENDENCY_OF')).toEqual(['SPDXRef-Image']);
    expect(related(doc, 'SPDXRef-Image', 'CONTAINS')).not.toContain(gcc.SPDXID);
    expect(gcc.annotations?.[0]?.comment).toMatch(/^scannable:build-only=true$/m);
  });

  it('declares every LicenseRef with its text, one id per distinct text', () => {
    const doc = convert(sbom);
    const infos = doc.hasExtractedLicensingInfos ?? [];
    const jq = doc.packages.find((x) => x.name === 'jq' && x.primaryPackagePurpose === 'LIBRARY')!;
    const bf = byName(doc, 'base-files');
    const jqRef = /LicenseRef-permissive-[0-9a-f]{8}/.exec(jq.licenseDeclared)![0];
    const bfRef = /LicenseRef-permissive-[0-9a-f]{8}/.exec(bf.licenseDeclared)![0];
    expect(jqRef).not.toBe(bfRef);
    expect(infos.find((i) => i.licenseId === jqRef)?.extractedText).toBe(
      "Do what you like with this file (jq's wording).\n",
    );
    expect(infos.find((i) => i.licenseId === bfRef)?.extractedText).toMatch(/base-files' wording/);
    // A license named by a string SPDX does not list, with no text in the image: its name, and why.
    const lp = byName(doc, 'left-pad', 'LIBRARY');
    expect(lp.licenseDeclared).toBe('LicenseRef-WTFPL-ish-license');
    expect(infos.find((i) => i.licenseId === 'LicenseRef-WTFPL-ish-license')).toMatchObject({
      extractedText: 'WTFPL-ish-license',
      comment: expect.stringMatching(/holds no text/),
    });
  });

  it('lists files with SHA-1 and SHA-256, CONTAINS them, and gives the verification code', () => {
    const doc = convert(sbom, fakeImage(['/usr/lib/x86_64-linux-gnu/libjq.so.1']));
    const lib = byName(doc, 'libjq1');
    const files = related(doc, lib.SPDXID, 'CONTAINS').map((id) => doc.files!.find((f) => f.SPDXID === id)!);
    expect(files.map((f) => f.fileName)).toEqual(['./usr/lib/x86_64-linux-gnu/libjq.so.1.0.4']);
    expect(files[0]!.checksums.map((c) => c.algorithm)).toEqual(['SHA1', 'SHA256']);
    expect(lib.filesAnalyzed).toBe(true);
    expect(lib.comment).toBe('1 symbolic link of the package not listed as files');
    const moved = doc.files!.find((f) => f.fileName === './opt/tools/run')!;
    expect(moved.comment).toBe('written by Dockerfile:10 (step s1.4); copied from stage 0 path /src/run by s1.4');
    // Without the image: no files, and no package claims to have analyzed any.
    const plain = convert(sbom);
    expect(plain.files).toBeUndefined();
    expect(plain.packages.every((p) => !p.filesAnalyzed && !p.packageVerificationCode)).toBe(true);
  });

  it('is deterministic: created from the SBOM timestamp, namespace from the image and serial number', () => {
    const a = convert(sbom);
    expect(JSON.stringify(convert(sbom))).toBe(JSON.stringify(a));
    expect(a.creationInfo.created).toBe('2024-05-01T12:00:00Z');
    const other = JSON.parse(text) as { metadata: { component: { version: string } } };
    other.metadata.component.version = 'sha256:' + 'f'.repeat(64);
    expect(convert(parseSbom(JSON.stringify(other), 'other')).documentNamespace).not.toBe(a.documentNamespace);
    expect(convert(sbom, fakeImage()).documentNamespace).not.toBe(a.documentNamespace);
  });
});

describe('checkSpdx', () => {
  const sbom = parseSbom(readFileSync(FIXTURE, 'utf8'), FIXTURE);
  it('finds dangling references, undeclared LicenseRefs and wrong verification codes', () => {
    const doc = convert(sbom, fakeImage());
    const jq = doc.packages.find((p) => p.name === 'jq' && p.filesAnalyzed)!;
    jq.packageVerificationCode = { packageVerificationCodeValue: '0'.repeat(40) };
    doc.relationships.push({
      spdxElementId: 'SPDXRef-Image',
      relationshipType: 'CONTAINS',
      relatedSpdxElement: 'SPDXRef-Nope',
    });
    doc.hasExtractedLicensingInfos = doc.hasExtractedLicensingInfos!.filter(
      (i) => i.licenseId !== 'LicenseRef-WTFPL-ish-license',
    );
    const problems = checkSpdx(doc);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${jq.SPDXID}: verification code 0{40}, its files give [0-9a-f]{40}$`)),
        'relationship CONTAINS names SPDXRef-Nope, which the document does not hold',
        expect.stringMatching(/uses LicenseRef-WTFPL-ish-license, which hasExtractedLicensingInfos does not declare$/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });
});

/** Packages as (purl or name, declared license, Dockerfile line), from each format. */
function cdxView(sbom: Sbom): string[] {
  return [...sbom.components, ...sbom.buildComponents].map((c) => {
    // A license named by a string SPDX does not list is a LicenseRef in SPDX.
    const lic = c.licenses.map((l) =>
      l.kind === 'id' ? l.id : l.kind === 'expression' ? l.expression : `LicenseRef-${idSafe(l.name)}`,
    );
    return `${c.purl ?? c.name} | ${lic.join(' AND ') || 'NOASSERTION'} | ${prop(c, 'scannable:line') ?? '-'}`;
  });
}
function spdxView(doc: SpdxDocument): string[] {
  const renamed = new Map((doc.hasExtractedLicensingInfos ?? []).map((i) => [i.licenseId, `LicenseRef-${i.name}`]));
  return doc.packages
    .filter((p) => p.SPDXID !== 'SPDXRef-Image' && p.primaryPackagePurpose !== 'SOURCE')
    .map((p) => {
      const purl = p.externalRefs?.find((r) => r.referenceType === 'purl')?.referenceLocator;
      const lic = p.licenseDeclared.replace(/LicenseRef-[A-Za-z0-9.-]+/g, (r) => renamed.get(r) ?? r);
      const line = /^scannable:line=(\d+)$/m.exec(p.annotations?.[0]?.comment ?? '')?.[1] ?? '-';
      return `${purl ?? p.name} | ${lic} | ${line}`;
    });
}

describeShared('SPDX documents validate against the official SPDX 2.3 JSON schema', () => {
  it('the fixture, with and without files', () => {
    const sbom = parseSbom(readFileSync(FIXTURE, 'utf8'), FIXTURE);
    expect(schemaErrors(convert(sbom))).toEqual([]);
    expect(schemaErrors(convert(sbom, fakeImage()))).toEqual([]);
    expect(spdxView(convert(sbom)).sort()).toEqual(cdxView(sbom).sort());
  });

  const examples = existsSync(EXAMPLES)
    ? readdirSync(EXAMPLES)
        .filter((f) => f.endsWith('.cdx.json'))
        .sort()
    : [];
  it.each(examples)('examples: %s, with the same packages, licenses and lines as the CycloneDX SBOM', (f) => {
    const { sbom, doc } = convertFile(path.join(EXAMPLES, f));
    expect(schemaErrors(doc)).toEqual([]);
    expect(checkSpdx(doc)).toEqual([]);
    expect(spdxView(doc).sort()).toEqual(cdxView(sbom).sort());
    // Every binary deb is generated from its source package.
    for (const p of doc.packages.filter((x) => x.externalRefs?.[0]?.referenceLocator.startsWith('pkg:deb/'))) {
      if (p.primaryPackagePurpose === 'SOURCE') continue;
      const [src] = related(doc, p.SPDXID, 'GENERATED_FROM');
      expect(doc.packages.find((x) => x.SPDXID === src)?.primaryPackagePurpose, p.name).toBe('SOURCE');
    }
  });
});
