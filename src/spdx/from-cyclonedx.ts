/**
 * A CycloneDX SBOM as scannable writes it -> an SPDX 2.3 JSON document.
 *
 * The image is the described package; every component becomes a package
 * (base images, binary packages, files grouped by where they came from,
 * build-stage-only components); each source a scanner must fetch becomes a
 * SOURCE package that the binaries it serves are GENERATED_FROM, and its
 * location is their downloadLocation. The Dockerfile step and line of each
 * package is an annotation (see docs/spdx.md for its form).
 *
 * File checksums: SPDX requires SHA-1 for every file, and our SBOM records
 * none (package files carry no digest at all). Files are listed only when
 * the caller gives their digests read from the image itself (`files`); then
 * packages have `filesAnalyzed: true`, CONTAINS their files and carry the
 * verification code. Without them packages are `filesAnalyzed: false`.
 *
 * Pure and deterministic: the creation time is the SBOM's timestamp, the
 * namespace derives from the image id and the SBOM's serial number.
 */
import { createHash } from 'node:crypto';
import { parsePurl } from '../sources/purl.js';
import type { SourceLocation } from '../sources/locate.js';
import { prop, type Sbom, type SbomComponent, type SbomStep } from '../osl/sbom.js';
import { SpdxIds } from './ids.js';
import { declaredExpression, LicenseRefs } from './licenses.js';
import {
  DOCUMENT_ID,
  SPDX_VERSION,
  type PackagePurpose,
  type SpdxAnnotation,
  type SpdxDocument,
  type SpdxFile,
  type SpdxPackage,
  type SpdxRelationship,
} from './types.js';
import { packageVerificationCode } from './verification-code.js';

/** What the image holds at a path: a regular file's digests, a symlink, or nothing. */
export type ImageFile = { kind: 'file'; sha1: string; sha256: string } | { kind: 'symlink' } | undefined;

export interface SpdxOptions {
  /** Where each component's source lives (`locateSources(sbom, {includeBuild: true})`, resolved or not). */
  sources: readonly SourceLocation[];
  /** The image's files, to list them with their checksums; without it no files are listed. */
  files?: (path: string) => ImageFile;
  /** The tool converting (added to the creators when it is not the one that wrote the SBOM). */
  tool?: { name: string; version: string };
  /** Creation time when the SBOM has none (ISO 8601); default SOURCE_DATE_EPOCH, else now. */
  created?: string;
}

const IMAGE_ID = 'SPDXRef-Image';

/** The `scannable:` properties a package's annotation carries, in this order. */
const STEP_PROPERTIES = [
  'origin',
  'step',
  'line',
  'stage',
  'stage-name',
  'base-image',
  'layer',
  'source-package',
] as const;

const SOURCE_KINDS = new Set<SourceLocation['kind']>(['debian-source', 'npm', 'pypi', 'gem', 'go-module', 'git']);

/** SPDX's date form: seconds, UTC, `Z`. */
function spdxDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`internal: not a date: ${iso}`);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function defaultCreated(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString();
  return new Date().toISOString();
}

function uuidOf(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** `Name <mail>` -> `Organization: Name (mail)`. SPDX wants Person or Organization; metadata does not say which. */
function supplierOf(s: string | undefined): string {
  if (!s) return 'NOASSERTION';
  const m = /^(.*?)\s*<([^>]*)>\s*$/.exec(s);
  const name = (m ? m[1]! : s).replace(/[()]/g, '').trim() || 'unknown';
  return `Organization: ${name}${m ? ` (${m[2]})` : ''}`;
}

function purposeOf(c: SbomComponent): PackagePurpose {
  switch (c.type) {
    case 'container':
      return 'CONTAINER';
    case 'application':
      return 'APPLICATION';
    case 'library':
      return 'LIBRARY';
    case 'file':
      return 'FILE';
    case 'operating-system':
      return 'OPERATING_SYSTEM';
    default:
      return 'OTHER';
  }
}

/** `git+URL@commit` as SPDX's download location form writes a VCS location. */
function gitLocation(repo: string, commit?: string): string {
  const url = /^git\+/.test(repo) ? repo : `git+${repo}`;
  return commit ? `${url}@${commit}` : url;
}

function downloadLocationOf(l: SourceLocation): string {
  if (l.kind === 'git') return gitLocation(l.repository ?? l.name, l.commit);
  return l.urls[0] ?? 'NOASSERTION';
}

/** SHA-256 of the downloadable file at the location, when a look-up confirmed it. */
function locationChecksum(l: SourceLocation): SpdxPackage['checksums'] {
  const url = l.urls[0];
  const f = l.files.find((x) => x.url === url && x.sha256);
  return f?.sha256 ? [{ algorithm: 'SHA256', checksumValue: f.sha256 }] : undefined;
}

/** A Debian source package's purl: the binary's namespace and distro, `arch=source`. */
function sourcePurl(l: SourceLocation, served: readonly SbomComponent[]): string | undefined {
  if (l.kind !== 'debian-source' || !l.version) return undefined;
  const p = served.map((c) => (c.purl ? parsePurl(c.purl) : undefined)).find((x) => x?.type === 'deb');
  if (!p) return undefined;
  const distro = p.qualifiers.distro ? `&distro=${encodeURIComponent(p.qualifiers.distro)}` : '';
  return `pkg:deb/${p.namespace ?? 'debian'}/${encodeURIComponent(l.name)}@${encodeURIComponent(l.version)}?arch=source${distro}`;
}

class Converter {
  private readonly ids = new SpdxIds();
  private readonly licenseRefs = new LicenseRefs();
  private readonly packages: SpdxPackage[] = [];
  private readonly files = new Map<string, SpdxFile>();
  private readonly relationships: SpdxRelationship[] = [];
  private readonly pkgIds = new Map<string, string>();
  private readonly steps: Map<string, SbomStep>;
  private readonly created: string;
  private readonly annotator: string;
  private readonly dockerfile: string;

  constructor(
    private readonly sbom: Sbom,
    private readonly opts: SpdxOptions,
  ) {
    this.steps = new Map(sbom.steps.map((s) => [s.id, s]));
    this.created = spdxDate(sbom.timestamp ?? opts.created ?? defaultCreated());
    const t = opts.tool ?? sbom.tools[0];
    this.annotator = `Tool: ${t ? `${t.name}-${t.version ?? 'unknown'}` : 'scannable'}`;
    this.dockerfile = (sbom.subject && prop(sbom.subject, 'scannable:dockerfile')) ?? 'Dockerfile';
    this.ids.reserve(DOCUMENT_ID);
    this.ids.reserve(IMAGE_ID);
  }

  private relate(a: string, type: SpdxRelationship['relationshipType'], b: string, comment?: string): void {
    this.relationships.push({
      spdxElementId: a,
      relationshipType: type,
      relatedSpdxElement: b,
      ...(comment ? { comment } : {}),
    });
  }

  /** Where the component's step is in the Dockerfile: `Dockerfile:4-6`, from the step or the line property. */
  private lines(c: SbomComponent): string | undefined {
    const id = prop(c, 'scannable:step');
    const desc = id ? this.steps.get(id)?.description : undefined;
    if (desc && /:\d+(-\d+)?$/.test(desc)) return desc;
    const line = prop(c, 'scannable:line');
    return line ? `${this.dockerfile}:${line}` : undefined;
  }

  private annotation(c: SbomComponent, build: boolean): SpdxAnnotation | undefined {
    const out: string[] = [];
    for (const name of STEP_PROPERTIES) {
      const v = prop(c, `scannable:${name}`);
      if (v !== undefined) out.push(`scannable:${name}=${v}`);
    }
    if (build) out.push('scannable:build-only=true');
    const lines = this.lines(c);
    if (lines) out.push(`scannable:dockerfile=${lines}`);
    const step = prop(c, 'scannable:step');
    const instruction = step ? this.steps.get(step)?.instruction : undefined;
    if (instruction) out.push(`scannable:instruction=${instruction.replace(/\s+/g, ' ')}`);
    if (!out.length) return undefined;
    return {
      annotationDate: this.created,
      annotationType: 'OTHER',
      annotator: this.annotator,
      comment: out.join('\n'),
    };
  }

  /** Where a component came from, in a sentence. */
  private sourceInfo(c: SbomComponent, build: boolean, location?: SourceLocation): string | undefined {
    const parts: string[] = [];
    const base = prop(c, 'scannable:base-image');
    const lines = this.lines(c);
    const step = prop(c, 'scannable:step');
    if (base) parts.push(`came with the base image ${base}`);
    else if (lines && step)
      parts.push(`${build ? 'in a build stage, ' : ''}${c.purl ? 'installed' : 'added'} by ${lines} (step ${step})`);
    else if (build) parts.push('in a build stage only');
    if (location?.note) parts.push(`source: ${location.note}`);
    return parts.length ? parts.join('; ') : undefined;
  }

  private addFiles(c: SbomComponent, pkg: SpdxPackage): void {
    const lookup = this.opts.files;
    if (!lookup || c.occurrences.length === 0) return;
    const sha1s: string[] = [];
    let symlinks = 0;
    const missing: string[] = [];
    const fileIds: string[] = [];
    for (const o of c.occurrences) {
      const f = lookup(o.location);
      if (!f) {
        missing.push(o.location);
        continue;
      }
      if (f.kind === 'symlink') {
        symlinks++;
        continue;
      }
      let file = this.files.get(o.location);
      if (!file) {
        file = {
          SPDXID: this.ids.id('File', o.location, o.location.split('/').pop() ?? 'file'),
          fileName: `.${o.location}`,
          checksums: [
            { algorithm: 'SHA1', checksumValue: f.sha1 },
            { algorithm: 'SHA256', checksumValue: f.sha256 },
          ],
        };
        const where = this.fileComment(c, o.additionalContext);
        if (where) file.comment = where;
        this.files.set(o.location, file);
      }
      if (fileIds.includes(file.SPDXID)) continue;
      fileIds.push(file.SPDXID);
      sha1s.push(f.sha1);
    }
    const notes: string[] = [];
    if (symlinks)
      notes.push(`${symlinks} symbolic link${symlinks === 1 ? '' : 's'} of the package not listed as files`);
    if (missing.length)
      notes.push(`not in the image: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
    if (notes.length) pkg.comment = [pkg.comment, ...notes].filter(Boolean).join('; ');
    if (fileIds.length === 0 || missing.length) return;
    pkg.filesAnalyzed = true;
    pkg.packageVerificationCode = { packageVerificationCodeValue: packageVerificationCode(sha1s) };
    for (const id of fileIds) this.relate(pkg.SPDXID, 'CONTAINS', id);
  }

  /** The step of a file: its component's, and a stage copy when the occurrence names one. */
  private fileComment(c: SbomComponent, context: string | undefined): string | undefined {
    const base = prop(c, 'scannable:base-image');
    const lines = this.lines(c);
    const step = prop(c, 'scannable:step');
    const parts = [
      base ? `came with the base image ${base}` : lines && step ? `written by ${lines} (step ${step})` : undefined,
      context && !/^sha256:[0-9a-f]{64}$/.test(context) ? context.replace(/; sha256:[0-9a-f]{64}$/, '') : undefined,
    ].filter(Boolean);
    return parts.length ? parts.join('; ') : undefined;
  }

  private componentPackage(c: SbomComponent, build: boolean, location?: SourceLocation): SpdxPackage {
    const id = this.ids.id('Package', c.ref, c.name);
    this.pkgIds.set(c.ref, id);
    const expression = declaredExpression(c);
    if (expression) this.licenseRefs.add(c, expression);
    const origin = prop(c, 'scannable:origin');
    const download = location
      ? SOURCE_KINDS.has(location.kind) || location.kind === 'remote'
        ? downloadLocationOf(location)
        : origin === 'inline'
          ? 'NONE'
          : 'NOASSERTION'
      : 'NOASSERTION';
    const homepage = c.externalReferences.find((r) => r.type === 'website')?.url;
    const sha256 = c.hashes.find((h) => h.alg === 'SHA-256')?.content;
    const info = this.sourceInfo(c, build, location && !SOURCE_KINDS.has(location.kind) ? location : undefined);
    const note = build ? 'only in a build stage; not in the image' : undefined;
    const annotation = this.annotation(c, build);
    const pkg: SpdxPackage = {
      SPDXID: id,
      name: c.group ? `${c.group}/${c.name}` : c.name,
      ...(c.version ? { versionInfo: c.version } : {}),
      supplier: supplierOf(c.supplier),
      downloadLocation: download,
      filesAnalyzed: false,
      ...(sha256 ? { checksums: [{ algorithm: 'SHA256', checksumValue: sha256 }] } : {}),
      ...(homepage ? { homepage } : {}),
      ...(info ? { sourceInfo: info } : {}),
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: expression ?? 'NOASSERTION',
      copyrightText: c.copyrights.length ? c.copyrights.join('\n') : 'NOASSERTION',
      ...(note ? { comment: note } : {}),
      ...(c.purl
        ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl }] }
        : {}),
      primaryPackagePurpose: purposeOf(c),
      ...(annotation ? { annotations: [annotation] } : {}),
    };
    // The expression is final once every component's LicenseRefs are known: see finish().
    this.packages.push(pkg);
    if (!build) this.addFiles(c, pkg);
    return pkg;
  }

  private sourcePackage(l: SourceLocation, served: readonly SbomComponent[]): SpdxPackage {
    const purl = sourcePurl(l, served);
    const checksums = locationChecksum(l);
    const pkg: SpdxPackage = {
      SPDXID: this.ids.id('Source', l.id, `${l.name}${l.version ? '-' + l.version : ''}`),
      name: l.name,
      ...(l.version ? { versionInfo: l.version } : {}),
      downloadLocation: downloadLocationOf(l),
      filesAnalyzed: false,
      ...(checksums ? { checksums } : {}),
      ...(l.note ? { sourceInfo: l.note } : l.suite ? { sourceInfo: `found in ${l.suite}` } : {}),
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      ...(purl
        ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }] }
        : {}),
      primaryPackagePurpose: 'SOURCE',
    };
    this.packages.push(pkg);
    return pkg;
  }

  /** The base image the target stage starts from, following `FROM <stage>`; undefined for scratch. */
  private imageBase(): string | undefined {
    const byUid = new Map(this.sbom.tasks.map((t) => [t.uid, t]));
    let task = this.sbom.tasks.find((t) => prop(t, 'scannable:target') === 'true');
    for (let hops = 0; task && hops <= this.sbom.tasks.length; hops++) {
      const base = prop(task, 'scannable:base');
      const stage = base && /^stage (\d+)$/.exec(base);
      if (!stage) return base === 'scratch' ? undefined : base;
      task = byUid.get(`stage-${stage[1]}`);
    }
    return undefined;
  }

  convert(): SpdxDocument {
    const sbom = this.sbom;
    const subject = sbom.subject;
    const imageName = subject?.name ?? 'image';
    const imageId = subject?.version ?? sbom.serialNumber ?? imageName;

    const locationOf = new Map<string, SourceLocation>();
    for (const l of this.opts.sources) for (const ref of l.components) locationOf.set(ref, l);

    // The image.
    const image: SpdxPackage = {
      SPDXID: IMAGE_ID,
      name: imageName,
      ...(subject?.version ? { versionInfo: subject.version } : {}),
      supplier: 'NOASSERTION',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      ...(subject?.purl
        ? {
            externalRefs: [
              { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: subject.purl },
            ],
          }
        : {}),
      primaryPackagePurpose: 'CONTAINER',
    };
    const coverage = subject && prop(subject, 'scannable:coverage');
    if (coverage)
      image.comment = `scannable:coverage=${coverage} (${prop(subject, 'scannable:coverage:attributed')} of ${prop(subject, 'scannable:coverage:files')} files and symlinks have an origin)`;
    this.packages.push(image);
    this.relate(DOCUMENT_ID, 'DESCRIBES', IMAGE_ID);

    // Components of the image, then build-stage-only ones.
    const ancestor = this.imageBase();
    const baseIds = new Map<string, string>();
    for (const c of sbom.components) {
      const pkg = this.componentPackage(c, false, locationOf.get(c.ref));
      if (c.type === 'container' && c.ref.startsWith('base:')) {
        baseIds.set(c.name, pkg.SPDXID);
        if (c.name === ancestor) this.relate(IMAGE_ID, 'DESCENDANT_OF', pkg.SPDXID);
        else this.relate(pkg.SPDXID, 'BUILD_DEPENDENCY_OF', IMAGE_ID, 'the base image of a build stage');
        continue;
      }
      this.relate(IMAGE_ID, 'CONTAINS', pkg.SPDXID);
    }
    for (const c of sbom.components) {
      const base = prop(c, 'scannable:base-image');
      const baseId = base ? baseIds.get(base) : undefined;
      if (baseId && c.type !== 'container') this.relate(baseId, 'CONTAINS', this.pkgIds.get(c.ref)!);
    }
    for (const c of sbom.buildComponents) {
      if (this.pkgIds.has(c.ref)) continue;
      const pkg = this.componentPackage(c, true, locationOf.get(c.ref));
      this.relate(pkg.SPDXID, 'BUILD_DEPENDENCY_OF', IMAGE_ID);
    }

    // Source packages: one per source location, the components it serves generated from it.
    const components = new Map([...sbom.components, ...sbom.buildComponents].map((c) => [c.ref, c]));
    for (const l of this.opts.sources) {
      if (!SOURCE_KINDS.has(l.kind)) continue;
      const served = l.components.filter((r) => this.pkgIds.has(r));
      if (!served.length) continue;
      const src = this.sourcePackage(
        l,
        served.map((r) => components.get(r)!),
      );
      for (const r of served) this.relate(this.pkgIds.get(r)!, 'GENERATED_FROM', src.SPDXID);
    }

    // Declared dependencies between packages (the image's own list is its CONTAINS).
    for (const d of sbom.dependencies) {
      const from = this.pkgIds.get(d.ref);
      if (!from || d.ref === subject?.ref) continue;
      for (const to of d.dependsOn) {
        const target = this.pkgIds.get(to);
        if (target && target !== from) this.relate(from, 'DEPENDS_ON', target);
      }
    }

    // Declared licenses with their LicenseRefs under their document ids.
    const byId = new Map(this.packages.map((p) => [p.SPDXID, p]));
    for (const c of [...sbom.components, ...sbom.buildComponents]) {
      const pkg = byId.get(this.pkgIds.get(c.ref) ?? '');
      if (pkg && pkg.licenseDeclared !== 'NOASSERTION')
        pkg.licenseDeclared = this.licenseRefs.rename(c, pkg.licenseDeclared);
    }
    const extracted = this.licenseRefs.extracted();
    const files = [...this.files.values()].sort((a, b) =>
      a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0,
    );

    const creators = sbom.tools.map((t) => `Tool: ${t.name}-${t.version ?? 'unknown'}`);
    if (this.opts.tool && !creators.includes(`Tool: ${this.opts.tool.name}-${this.opts.tool.version}`))
      creators.push(`Tool: ${this.opts.tool.name}-${this.opts.tool.version}`);
    if (!creators.length) creators.push('Tool: scannable');
    const uuid = uuidOf(imageId, sbom.serialNumber ?? '', this.opts.files ? 'files' : 'no-files', 'SPDX-2.3');
    return {
      spdxVersion: SPDX_VERSION,
      dataLicense: 'CC0-1.0',
      SPDXID: DOCUMENT_ID,
      name: imageName,
      documentNamespace: `https://spdx.org/spdxdocs/scannable/${encodeURIComponent(imageName)}-${uuid}`,
      creationInfo: {
        created: this.created,
        creators,
        comment: `converted from the CycloneDX ${sbom.specVersion} SBOM ${sbom.serialNumber ?? ''}`.trim(),
      },
      ...(this.opts.files
        ? {}
        : {
            comment:
              'no files listed: the SBOM records no SHA-1 for them, which SPDX requires; convert with --image to read them from the image',
          }),
      packages: this.packages,
      ...(files.length ? { files } : {}),
      ...(extracted.length ? { hasExtractedLicensingInfos: extracted } : {}),
      relationships: this.relationships,
    };
  }
}

/** The SPDX 2.3 document of the SBOM. */
export function cycloneDxToSpdx(sbom: Sbom, opts: SpdxOptions): SpdxDocument {
  return new Converter(sbom, opts).convert();
}
