/**
 * Provenance -> CycloneDX 1.6 JSON. The library (@cyclonedx/cyclonedx-library)
 * builds and serialises the models it has (metadata, components, licenses,
 * hashes, references, properties, dependencies); what it has no model for —
 * evidence occurrences, formulation, compositions — is added to the serialised
 * document, and the whole document is validated against the official 1.6
 * schema before anyone sees it.
 *
 * Deterministic: lists are sorted, the timestamp is the provenance's (from
 * SOURCE_DATE_EPOCH when set), the serial number derives from the image id.
 */
import { createHash } from 'node:crypto';
import * as CDX from './cdx.js';
import { spdxLicenseId } from '../track/licenses/spdx.js';
import type { Package } from '../track/package.js';
import {
  rootOrigin,
  type FileRecord,
  type Origin,
  type PackageRecord,
  type Provenance,
  type StepRef,
} from '../track/provenance.js';

export const PROPERTY_NS = 'scannable';

/** `urn:uuid:` shaped like a version-5 UUID, from a digest of the inputs. */
export function serialNumberFor(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function prop(name: string, value: string | number): CDX.Models.Property {
  return new CDX.Models.Property(`${PROPERTY_NS}:${name}`, String(value));
}

function stepProps(step: StepRef | undefined): CDX.Models.Property[] {
  if (!step) return [];
  // Line 0: an image layer no Dockerfile instruction accounts for.
  return [prop('step', step.id), ...(step.line > 0 ? [prop('line', step.line)] : []), prop('stage', step.stage)];
}

/** An OCI purl for a local image id: pkg:oci/<name>@sha256%3A<hex>?tag=... */
export function ociPurl(ref: string | undefined, imageId: string): string {
  const repo = ref
    ? ref
        .replace(/[:@].*$/, '')
        .split('/')
        .pop()!
    : 'image';
  const tag = ref && /:[^/@]+$/.test(ref.replace(/@.*$/, '')) ? ref.replace(/@.*$/, '').split(':').pop()! : undefined;
  const repositoryUrl = ref ? ref.replace(/[:@][^/]*$/, '') : undefined;
  const q: string[] = [];
  if (repositoryUrl && repositoryUrl !== repo) q.push(`repository_url=${encodeURIComponent(repositoryUrl)}`);
  if (tag) q.push(`tag=${encodeURIComponent(tag)}`);
  return `pkg:oci/${encodeURIComponent(repo.toLowerCase())}@${encodeURIComponent(imageId)}${q.length ? '?' + q.join('&') : ''}`;
}

function licensesOf(pkg: Package): CDX.Models.LicenseRepository {
  const repo = new CDX.Models.LicenseRepository();
  const expr = pkg.licenseExpression;
  if (!expr) return repo;
  if (spdxLicenseId(expr) === expr) repo.add(new CDX.Models.SpdxLicense(expr));
  else repo.add(new CDX.Models.LicenseExpression(expr));
  return repo;
}

const ECOSYSTEM_TYPE: Record<Package['ecosystem'], CDX.Enums.ComponentType> = {
  deb: CDX.Enums.ComponentType.Library,
  apk: CDX.Enums.ComponentType.Library,
  rpm: CDX.Enums.ComponentType.Library,
  python: CDX.Enums.ComponentType.Library,
  npm: CDX.Enums.ComponentType.Library,
  gem: CDX.Enums.ComponentType.Library,
  golang: CDX.Enums.ComponentType.Application,
};

function packageComponent(
  rec: PackageRecord,
  stageNames: Map<number, string | undefined>,
  fromSteps: Map<number, StepRef> = new Map(),
): CDX.Models.Component {
  const p = rec.package;
  const c = new CDX.Models.Component(ECOSYSTEM_TYPE[p.ecosystem], p.name, {
    bomRef: p.purl,
    ...(p.version ? { version: p.version } : {}),
    purl: p.purl,
    licenses: licensesOf(p),
    ...(p.copyrights.length ? { copyright: p.copyrights.join('\n') } : {}),
    ...(p.supplier ? { supplier: new CDX.Models.OrganizationalEntity({ name: p.supplier }) } : {}),
  });
  if (p.homepage && isUrl(p.homepage))
    c.externalReferences.add(new CDX.Models.ExternalReference(p.homepage, CDX.Enums.ExternalReferenceType.Website));
  if (p.vcs && isUrl(p.vcs))
    c.externalReferences.add(new CDX.Models.ExternalReference(p.vcs, CDX.Enums.ExternalReferenceType.VCS));
  c.properties.add(prop('origin', rec.step ? 'package' : 'base'));
  for (const pr of stepProps(rec.step ?? (rec.baseImage ? fromSteps.get(rec.stage) : undefined))) c.properties.add(pr);
  if (rec.baseImage) c.properties.add(prop('base-image', rec.baseImage));
  if (rec.layer) c.properties.add(prop('layer', rec.layer));
  if (rec.step && stageNames.get(rec.stage)) c.properties.add(prop('stage-name', stageNames.get(rec.stage)!));
  if (p.source)
    c.properties.add(prop('source-package', p.source.version ? `${p.source.name}@${p.source.version}` : p.source.name));
  if (p.arch) c.properties.add(prop('arch', p.arch));
  c.properties.add(prop('metadata-path', p.metadataPath));
  if (!p.licenseExpression && p.licenseUnknownReason) c.properties.add(prop('license-unknown', p.licenseUnknownReason));
  for (const ev of p.licenses) {
    if (ev.original !== ev.expression) c.properties.add(prop('license-declared', `${ev.original} (${ev.path})`));
  }
  return c;
}

function isUrl(s: string): boolean {
  return /^(https?|git|ssh|svn|ftp):\/\//.test(s) || /^git\+/.test(s);
}

/** What a file component is keyed on: the root origin's identity. */
function fileComponentKey(o: Origin): string | undefined {
  switch (o.kind) {
    case 'context':
      return `context:${o.path}`;
    case 'remote':
      return `remote:${o.url}`;
    case 'inline':
      return `inline:${o.step.id}:${o.name}`;
    case 'built':
      return `built:${o.step.id}`;
    case 'unattributed':
      return `unattributed:${o.step.id}`;
    default:
      return undefined;
  }
}

type StageOrigin = Extract<Origin, { kind: 'stage' }>;

interface FileGroup {
  key: string;
  origin: Origin;
  files: Array<{ file: FileRecord; via?: StageOrigin }>;
}

function fileComponent(g: FileGroup): CDX.Models.Component {
  const o = g.origin;
  const props: CDX.Models.Property[] = [prop('origin', o.kind)];
  let name: string;
  let hashes: CDX.Models.HashDictionary | undefined;
  const refs = new CDX.Models.ExternalReferenceRepository();
  switch (o.kind) {
    case 'context':
      name = o.path;
      hashes = new CDX.Models.HashDictionary([[CDX.Enums.HashAlgorithm['SHA-256'], o.sha256]]);
      props.push(...stepProps(o.step));
      break;
    case 'remote':
      name = o.url;
      if (o.sha256) hashes = new CDX.Models.HashDictionary([[CDX.Enums.HashAlgorithm['SHA-256'], o.sha256]]);
      props.push(prop('verified', String(o.verified)), ...stepProps(o.step));
      if (isUrl(o.url)) refs.add(new CDX.Models.ExternalReference(o.url, CDX.Enums.ExternalReferenceType.Distribution));
      break;
    case 'inline':
      name = `${o.name} (inline in the Dockerfile)`;
      props.push(...stepProps(o.step));
      break;
    case 'built':
      name = `built by ${o.tool} (${o.step.instruction.slice(0, 80)})`;
      props.push(prop('tool', o.tool), ...stepProps(o.step));
      for (const s of o.sources) {
        const k = fileComponentKey(rootOrigin(s));
        if (k) props.push(prop('built-from', k));
      }
      break;
    case 'unattributed':
      name = `files written by ${o.step.instruction.slice(0, 80)}`;
      props.push(...stepProps(o.step), prop('command', o.step.instruction));
      if (o.note) props.push(prop('note', o.note));
      break;
    default:
      name = g.key;
  }
  const single = g.files.length === 1 ? g.files[0]!.file : undefined;
  const c = new CDX.Models.Component(CDX.Enums.ComponentType.File, name, {
    bomRef: `file:${g.key}`,
    ...(hashes
      ? { hashes }
      : single?.sha256 && o.kind !== 'context'
        ? { hashes: new CDX.Models.HashDictionary([[CDX.Enums.HashAlgorithm['SHA-256'], single.sha256]]) }
        : {}),
    externalReferences: refs,
  });
  for (const p of props) c.properties.add(p);
  return c;
}

export interface SbomOptions {
  /** Tag of the image, for its name and purl. */
  imageRef?: string;
}

/** Builds the CycloneDX 1.6 document (a plain object ready for JSON.stringify). */
export function provenanceToCycloneDX(prov: Provenance, opts: SbomOptions = {}): Record<string, unknown> {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = serialNumberFor(prov.image.id, prov.dockerfile.sha256);
  bom.metadata.timestamp = new Date(prov.created);
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, prov.tool.name, {
      version: prov.tool.version,
      bomRef: `tool:${prov.tool.name}`,
    }),
  );
  const imageRef = opts.imageRef ?? prov.image.tags[0];
  const imageName = imageRef ? imageRef.replace(/@.*$/, '') : prov.image.id.slice(0, 19);
  const image = new CDX.Models.Component(CDX.Enums.ComponentType.Container, imageName, {
    bomRef: 'image',
    version: prov.image.id,
    purl: ociPurl(imageRef, prov.image.id),
  });
  image.properties.add(prop('coverage', prov.coverage.ratio.toFixed(4)));
  image.properties.add(prop('coverage:files', prov.coverage.files));
  image.properties.add(prop('coverage:attributed', prov.coverage.attributed));
  for (const [kind, n] of Object.entries(prov.coverage.byOrigin)) if (n) image.properties.add(prop(`files:${kind}`, n));
  if (prov.dockerfile.path) {
    image.properties.add(prop('dockerfile', prov.dockerfile.path));
    image.properties.add(prop('dockerfile:sha256', prov.dockerfile.sha256));
  }
  image.properties.add(prop('platform', `${prov.image.os}/${prov.image.architecture}`));
  // What the tracker could not read (a package database, a copyright file...), and why.
  const problems = problemLines(prov.problems);
  image.properties.add(prop('problems', prov.problems.length));
  for (const line of problems) image.properties.add(prop('problem', line));
  bom.metadata.component = image;

  const stageNames = new Map(prov.stages.map((s) => [s.index, s.name]));
  // Base-image packages point at the FROM that named the image: the root of a chain of `FROM <stage>`.
  const stageByIndex = new Map(prov.stages.map((s) => [s.index, s]));
  const fromSteps = new Map<number, StepRef>();
  for (const s of prov.stages) {
    let root = s;
    for (
      let hops = 0;
      root.base.kind === 'stage' && stageByIndex.has(root.base.stage) && hops < prov.stages.length;
      hops++
    )
      root = stageByIndex.get(root.base.stage)!;
    if (root.from) fromSteps.set(s.index, root.from);
  }

  // Base images.
  const baseRefs = new Map<string, string>();
  for (const st of prov.stages) {
    if (st.base.kind !== 'image' || baseRefs.has(st.base.imageId)) continue;
    const ref = `base:${st.base.imageId}`;
    baseRefs.set(st.base.imageId, ref);
    const c = new CDX.Models.Component(CDX.Enums.ComponentType.Container, st.base.ref, {
      bomRef: ref,
      version: st.base.imageId,
      purl: ociPurl(st.base.ref, st.base.imageId),
    });
    c.properties.add(prop('origin', 'base-image'));
    c.properties.add(prop('stage', st.index));
    bom.components.add(c);
  }

  // Packages of the final image, with the files they own as evidence.
  const occurrences = new Map<string, Array<{ location: string; additionalContext?: string }>>();
  const byPurl = new Map<string, CDX.Models.Component>();
  for (const rec of prov.packages) {
    const same = byPurl.get(rec.package.purl);
    if (same) {
      // The same package (name and version) installed twice, e.g. in two node_modules
      // trees: one component, with the files and metadata of every copy.
      occurrences.get(rec.package.purl)!.push(...rec.files.map((f) => ({ location: f })));
      if (
        ![...same.properties].some(
          (p) => p.name === `${PROPERTY_NS}:metadata-path` && p.value === rec.package.metadataPath,
        )
      ) {
        same.properties.add(prop('metadata-path', rec.package.metadataPath));
      }
      continue;
    }
    const c = packageComponent(rec, stageNames, fromSteps);
    byPurl.set(rec.package.purl, c);
    bom.components.add(c);
    occurrences.set(
      rec.package.purl,
      rec.files.map((f) => ({ location: f })),
    );
  }

  // Files whose origin is not a package: one component per source (context file,
  // download, build step, unattributed step), with every image path it landed at.
  const groups = new Map<string, FileGroup>();
  for (const f of prov.files) {
    const root = rootOrigin(f.origin);
    const key = fileComponentKey(root);
    if (root.kind === 'package' || root.kind === 'base') {
      // Packages copied from a build stage are still that package's files.
      if (f.origin.kind === 'stage' && root.kind === 'package') {
        const list = occurrences.get(root.package) ?? [];
        list.push({ location: f.path, additionalContext: viaStage(f.origin) });
        occurrences.set(root.package, list);
      }
      continue;
    }
    if (!key) continue;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, origin: root, files: [] }));
    g.files.push({ file: f, ...(f.origin.kind === 'stage' ? { via: f.origin } : {}) });
  }
  for (const g of groups.values()) {
    bom.components.add(fileComponent(g));
    occurrences.set(
      `file:${g.key}`,
      g.files.map(({ file, via }) => {
        const member = file.origin.kind === 'stage' ? memberOf(rootOrigin(file.origin)) : memberOf(file.origin);
        const ctx = [
          member ? `member ${member}` : undefined,
          via ? viaStage(via) : undefined,
          file.sha256 ? `sha256:${file.sha256}` : undefined,
        ]
          .filter(Boolean)
          .join('; ');
        return { location: file.path, ...(ctx ? { additionalContext: ctx } : {}) };
      }),
    );
  }

  // Build-stage-only packages go to formulation, and packages from build stages
  // copied into the image are components of the image too.
  const buildOnly = prov.buildPackages.filter((r) => !byPurl.has(r.package.purl));
  for (const rec of buildOnly) {
    const copied = occurrences.get(rec.package.purl);
    if (copied && copied.length) {
      const c = packageComponent(rec, stageNames);
      byPurl.set(rec.package.purl, c);
      bom.components.add(c);
    }
  }

  // Dependencies: the image on its base images and packages; packages on what they declare.
  const nameIndex = new Map<string, string>();
  for (const rec of [...prov.packages]) nameIndex.set(`${rec.package.ecosystem}:${rec.package.name}`, rec.package.purl);
  for (const ref of baseRefs.values()) image.dependencies.add(new CDX.Models.BomRef(ref));
  const refOf = new Map<string, CDX.Models.BomRef>();
  for (const c of bom.components) refOf.set(c.bomRef.value!, c.bomRef);
  for (const c of bom.components) if (c.type !== CDX.Enums.ComponentType.Container) image.dependencies.add(c.bomRef);
  for (const rec of prov.packages) {
    const c = byPurl.get(rec.package.purl);
    if (!c) continue;
    for (const dep of rec.package.dependencies) {
      const target = nameIndex.get(`${rec.package.ecosystem}:${dep}`);
      if (target && target !== rec.package.purl && refOf.has(target)) c.dependencies.add(refOf.get(target)!);
    }
  }

  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  const doc = JSON.parse(serializer.serialize(bom, { sortLists: true })) as Record<string, unknown>;

  // Evidence (no library model for occurrences): the files a component owns,
  // and the license texts found in the image for it, each with its path.
  const textsByRef = new Map<string, Package['licenseTexts']>();
  for (const rec of [...prov.packages, ...prov.buildPackages])
    if (rec.package.licenseTexts.length) textsByRef.set(rec.package.purl, rec.package.licenseTexts);
  for (const comp of (doc.components as Array<Record<string, unknown>>) ?? []) {
    const ref = comp['bom-ref'] as string;
    const occ = occurrences.get(ref);
    const texts = textsByRef.get(ref);
    if ((!occ || occ.length === 0) && !texts) continue;
    const evidence: Record<string, unknown> = { ...((comp.evidence as object) ?? {}) };
    if (texts) evidence.licenses = licenseEvidence(texts);
    if (occ && occ.length)
      evidence.occurrences = [...occ].sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
    comp.evidence = evidence;
  }
  doc.formulation = [formulation(prov, buildOnly, stageNames)];
  doc.compositions = [
    {
      'bom-ref': 'composition:image',
      aggregate: prov.coverage.attributed === prov.coverage.files ? 'complete' : 'incomplete',
      assemblies: ['image'],
    },
  ];
  return doc;
}

/** Most problems listed in the SBOM; a count of the rest follows them. */
export const MAX_SBOM_PROBLEMS = 1000;

/** "path: reason", sorted and deduplicated, at most MAX_SBOM_PROBLEMS of them (then how many more). */
function problemLines(problems: Provenance['problems']): string[] {
  const lines = [...new Set(problems.map((p) => `${p.path}: ${p.reason}`))].sort();
  if (lines.length <= MAX_SBOM_PROBLEMS) return lines;
  return [...lines.slice(0, MAX_SBOM_PROBLEMS), `(${lines.length - MAX_SBOM_PROBLEMS} more problems not listed)`];
}

/** License texts as CycloneDX license evidence: the text, and the image path it was read from. */
function licenseEvidence(texts: Package['licenseTexts']): unknown[] {
  const seen = new Set<string>();
  const out: Array<{ license: Record<string, unknown> }> = [];
  for (const t of [...texts].sort((a, b) => (a.path + a.id < b.path + b.id ? -1 : 1))) {
    const key = `${t.id}\0${t.path}\0${t.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const named = spdxLicenseId(t.id) === t.id ? { id: t.id } : { name: t.name || t.id };
    out.push({
      license: {
        ...named,
        text: { contentType: 'text/plain', content: t.text },
        properties: [
          { name: `${PROPERTY_NS}:license-text-path`, value: t.path },
          { name: `${PROPERTY_NS}:license-text-id`, value: t.id },
        ],
      },
    });
  }
  return out;
}

function memberOf(o: Origin): string | undefined {
  return o.kind === 'context' || o.kind === 'remote' ? o.member : undefined;
}

function viaStage(o: StageOrigin): string {
  return `copied from stage ${o.stageName ?? o.stage} path ${o.path} by ${o.step.id}`;
}

function formulation(
  prov: Provenance,
  buildOnly: PackageRecord[],
  stageNames: Map<number, string | undefined>,
): Record<string, unknown> {
  const stepsByStage = new Map<number, typeof prov.steps>();
  for (const s of prov.steps) {
    const list = stepsByStage.get(s.step.stage) ?? [];
    list.push(s);
    stepsByStage.set(s.step.stage, list);
  }
  const tasks = prov.stages.map((st) => ({
    'bom-ref': `task:stage-${st.index}`,
    uid: `stage-${st.index}`,
    name: st.name ? `stage ${st.index} (${st.name})` : `stage ${st.index}`,
    taskTypes: ['build'],
    steps: (stepsByStage.get(st.index) ?? []).map((s) => ({
      name: `${s.step.id} ${s.step.instruction.split(/\s/, 1)[0]!.toUpperCase()}`,
      description:
        s.step.line > 0
          ? `${prov.dockerfile.path}:${s.step.line}${s.step.endLine !== s.step.line ? `-${s.step.endLine}` : ''}`
          : `image layer ${s.layer ?? ''}`.trim(),
      commands: [{ executed: s.step.instruction }],
      properties: [
        { name: `${PROPERTY_NS}:op`, value: s.op },
        { name: `${PROPERTY_NS}:predicted`, value: s.predicted },
        { name: `${PROPERTY_NS}:observed:files`, value: String(s.observed.files) },
        { name: `${PROPERTY_NS}:observed:unattributed`, value: String(s.observed.unattributed) },
        ...(s.snapshot ? [{ name: `${PROPERTY_NS}:snapshot`, value: s.snapshot }] : []),
        ...(s.layer ? [{ name: `${PROPERTY_NS}:layer`, value: s.layer }] : []),
      ],
    })),
    properties: [
      {
        name: `${PROPERTY_NS}:base`,
        value: st.base.kind === 'image' ? st.base.ref : st.base.kind === 'stage' ? `stage ${st.base.stage}` : 'scratch',
      },
      ...(st.target ? [{ name: `${PROPERTY_NS}:target`, value: 'true' }] : []),
    ],
  }));
  const deps = prov.stages
    .map((st) => {
      const from = new Set<number>();
      if (st.base.kind === 'stage') from.add(st.base.stage);
      for (const s of prov.steps) if (s.step.stage === st.index && s.fromStage !== undefined) from.add(s.fromStage);
      return {
        ref: `task:stage-${st.index}`,
        dependsOn: [...from].sort((a, b) => a - b).map((i) => `task:stage-${i}`),
      };
    })
    .filter((d) => d.dependsOn.length > 0);
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  const comps = new CDX.Models.Bom();
  for (const rec of buildOnly) comps.components.add(packageComponent(rec, stageNames));
  const buildComponents =
    (JSON.parse(serializer.serialize(comps, { sortLists: true })) as { components?: unknown[] }).components ?? [];
  return {
    'bom-ref': 'formulation',
    components: buildComponents.map((c) => ({
      ...(c as object),
      'bom-ref': `build:${(c as { 'bom-ref': string })['bom-ref']}`,
    })),
    workflows: [
      {
        'bom-ref': 'workflow:build',
        uid: 'build',
        name: `build of ${prov.dockerfile.path}`,
        taskTypes: ['build'],
        tasks,
        ...(deps.length ? { taskDependencies: deps } : {}),
      },
    ],
  };
}

/** Validates a document against the official CycloneDX 1.6 JSON schema; returns the errors, if any. */
export async function validateCycloneDX(doc: Record<string, unknown> | string): Promise<unknown[] | null> {
  const { JsonStrictValidator } = await import('@cyclonedx/cyclonedx-library/Validation');
  const v = new JsonStrictValidator(CDX.Spec.Version.v1dot6);
  const result = await v.validate(typeof doc === 'string' ? doc : JSON.stringify(doc));
  return (result as unknown[] | null) ?? null;
}
