/**
 * The attribution model: what the Open Source License (OSL) file says, built
 * from an SBOM and independent of how it is rendered.
 *
 * - Components of the image (packages, and files whose license is known) are
 *   grouped by license expression.
 * - Each license's full text appears once. A component that carries its own
 *   copy of the text in the image (a Debian copyright paragraph, an npm LICENSE
 *   file) is attributed with that copy; copies that differ only in whitespace
 *   are one text. Otherwise the shared text is Debian's common-licenses copy
 *   when the image has it, else the SPDX License List's; else it is missing.
 * - What cannot be attributed is listed with why: files no step could account
 *   for (by step, with the Dockerfile line and instruction), and components
 *   whose license is unknown.
 *
 * Everything is sorted, so the same SBOM always gives the same document.
 */
import {
  isPointerText,
  spdxListName,
  spdxListText,
  spdxListVersion,
  termsOf,
  textIdsFor,
  textKey,
  type LicenseTerm,
} from './license-texts.js';
import { prop, props, type LicenseChoice, type Sbom, type SbomComponent } from './sbom.js';

export interface AttributedComponent {
  ref: string;
  name: string;
  version?: string;
  purl?: string;
  /** library, application, file... as the SBOM types it. */
  type: string;
  copyrights: string[];
  supplier?: string;
  website?: string;
  vcs?: string;
  /** `Debian source package jq 1.6-2.1`, `from the base image debian:bookworm`... */
  notes: string[];
  /** Where it came in: `base image` or `Dockerfile:6 (s1.2)`. */
  installedBy?: string;
}

export interface LicenseGroup {
  /** The license expression as the SBOM states it (or the AND of its entries). */
  expression: string;
  /** License ids the expression names, linking to the texts section. */
  terms: string[];
  components: AttributedComponent[];
}

export type TextSource = { kind: 'image'; path: string; component: string } | { kind: 'spdx'; listVersion: string };

export interface LicenseTextVariant {
  text: string;
  source: TextSource;
  /** Names (`name version`) of the components this copy of the text serves. */
  usedBy: string[];
}

export interface LicenseTextEntry {
  id: string;
  kind: LicenseTerm['kind'];
  /** Full name from the SPDX License List, when listed. */
  title?: string;
  /** Empty when no text is available; then `missing` says why. */
  variants: LicenseTextVariant[];
  missing?: string;
  /** Components that name this license and got no text for it. */
  missingFor?: string[];
}

export interface UnattributedStep {
  step: string;
  /** `Dockerfile:9`, when the SBOM records the line. */
  location?: string;
  instruction?: string;
  stage?: string;
  files: string[];
}

export interface UnknownLicense {
  ref: string;
  name: string;
  version?: string;
  kind: string;
  reason: string;
  installedBy?: string;
}

export interface Attribution {
  /** The SBOM's identity (not its file name: the output must not depend on where the file was read from). */
  sbom: { serialNumber?: string; version?: number; timestamp?: string; complete?: boolean };
  image: { name: string; version?: string; purl?: string; coverage?: string; dockerfile?: string; platform?: string };
  groups: LicenseGroup[];
  licenses: LicenseTextEntry[];
  notAttributed: { steps: UnattributedStep[]; unknownLicense: UnknownLicense[] };
  counts: { components: number; attributed: number; licenses: number; unattributedFiles: number };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function displayName(c: { name: string; version?: string; group?: string }): string {
  const n = c.group ? `${c.group}/${c.name}` : c.name;
  return c.version ? `${n} ${c.version}` : n;
}

/** The expression a component's `licenses` amount to; undefined when it has none that is known. */
export function expressionOf(licenses: readonly LicenseChoice[]): string | undefined {
  const parts = licenses
    .map((l) => (l.kind === 'id' ? l.id : l.kind === 'name' ? l.name : l.expression))
    .filter((s) => s.trim() !== '' && s !== 'NOASSERTION');
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0]!;
  // Several entries in `licenses` all apply to the component.
  return [...new Set(parts)].map((p) => (/\sOR\s|\s/.test(p) && !/^\(.*\)$/.test(p) ? `(${p})` : p)).join(' AND ');
}

const FILE_REASONS: Record<string, string> = {
  context:
    'copied from the build context: the SBOM records no license for it, so its license is for the image author to state',
  remote: 'downloaded during the build: the SBOM records no license for it',
  inline: 'written from the Dockerfile itself: its license is that of the Dockerfile',
  built: 'built during the image build: its license follows from the sources it was built from',
};

function installedBy(c: SbomComponent): string | undefined {
  const origin = prop(c, 'scannable:origin');
  if (origin === 'base') {
    const base = prop(c, 'scannable:base-image');
    return base ? `base image ${base}` : 'base image';
  }
  const step = prop(c, 'scannable:step');
  const line = prop(c, 'scannable:line');
  if (step && line) return `Dockerfile line ${line} (${step})`;
  return step;
}

function attributed(c: SbomComponent): AttributedComponent {
  const notes: string[] = [];
  const src = prop(c, 'scannable:source-package');
  if (src && c.purl?.startsWith('pkg:deb/')) notes.push(`Debian source package ${src.replace('@', ' ')}`);
  else if (src) notes.push(`source package ${src.replace('@', ' ')}`);
  for (const d of props(c, 'scannable:license-declared')) notes.push(`license declared as ${d}`);
  const out: AttributedComponent = {
    ref: c.ref,
    name: c.group ? `${c.group}/${c.name}` : c.name,
    type: c.type,
    copyrights: c.copyrights,
    notes,
  };
  if (c.version) out.version = c.version;
  if (c.purl) out.purl = c.purl;
  if (c.supplier) out.supplier = c.supplier;
  const website = c.externalReferences.find((r) => r.type === 'website')?.url;
  if (website) out.website = website;
  const vcs = c.externalReferences.find((r) => r.type === 'vcs')?.url;
  if (vcs) out.vcs = vcs;
  const by = installedBy(c);
  if (by) out.installedBy = by;
  return out;
}

/** Components the attribution file is about: everything in the image but the image and its base images. */
function subjects(sbom: Sbom): SbomComponent[] {
  const seen = new Set<string>();
  return sbom.components.filter((c) => {
    if (c.type === 'container' || seen.has(c.ref)) return false;
    seen.add(c.ref);
    return true;
  });
}

function stepLocation(
  sbom: Sbom,
  c: SbomComponent,
  step: string,
): { location?: string; instruction?: string; stage?: string } {
  const s = sbom.steps.find((x) => x.id === step);
  const line = prop(c, 'scannable:line');
  const location = s?.description ?? (line ? `Dockerfile:${line}` : undefined);
  const instruction = prop(c, 'scannable:command') ?? s?.instruction;
  return {
    ...(location ? { location } : {}),
    ...(instruction ? { instruction } : {}),
    ...(s ? { stage: s.task } : {}),
  };
}

export function buildAttribution(sbom: Sbom): Attribution {
  const groups = new Map<string, LicenseGroup>();
  const unknownLicense: UnknownLicense[] = [];
  const steps: UnattributedStep[] = [];
  const all = subjects(sbom);
  // Per license term: the texts in the image, by component, and who needs a shared text.
  const own = new Map<string, Map<string, { text: string; path: string; users: Set<string> }>>();
  const needShared = new Map<string, { term: LicenseTerm; users: Set<string> }>();
  const termKinds = new Map<string, LicenseTerm>();

  // Debian keeps canonical texts in /usr/share/common-licenses (base-files); they serve every component.
  const common = new Map<string, { text: string; path: string; component: string }>();
  for (const c of all) {
    for (const t of c.licenseTexts) {
      if (!t.path?.startsWith('/usr/share/common-licenses/')) continue;
      const prev = common.get(t.textId);
      if (!prev || cmp(t.path, prev.path) < 0)
        common.set(t.textId, { text: t.text, path: t.path, component: displayName(c) });
    }
  }

  for (const c of all) {
    const origin = prop(c, 'scannable:origin');
    if (origin === 'unattributed') {
      const step = prop(c, 'scannable:step') ?? c.ref.replace(/^file:unattributed:/, '');
      steps.push({ step, ...stepLocation(sbom, c, step), files: c.occurrences.map((o) => o.location).sort(cmp) });
      continue;
    }
    const expression = expressionOf(c.licenses);
    if (!expression) {
      const isFile = c.type === 'file';
      const reason =
        prop(c, 'scannable:license-unknown') ??
        (isFile && origin ? FILE_REASONS[origin] : undefined) ??
        'the SBOM records no license for it';
      const name = isFile && origin === 'context' ? `${c.name} (build context)` : c.name;
      const by = installedBy(c);
      unknownLicense.push({
        ref: c.ref,
        name,
        ...(c.version ? { version: c.version } : {}),
        kind: origin ?? c.type,
        reason,
        ...(by ? { installedBy: by } : {}),
      });
      continue;
    }
    const terms = termsOf(expression);
    let g = groups.get(expression);
    if (!g) groups.set(expression, (g = { expression, terms: terms.map((t) => t.id), components: [] }));
    g.components.push(attributed(c));
    const user = displayName(c);
    const fullTexts = c.licenseTexts.filter(
      (t) => !isPointerText(t.text) && !t.path?.startsWith('/usr/share/common-licenses/'),
    );
    for (const term of terms) {
      termKinds.set(term.id, term);
      // A text recorded for "X WITH Y" carries the exception's wording: it serves the exception.
      const ids =
        term.kind === 'exception'
          ? [term.id, ...terms.filter((t) => t.kind !== 'exception').map((t) => `${t.id} WITH ${term.id}`)]
          : textIdsFor(term);
      const mine = fullTexts.filter((t) => ids.includes(t.textId)).sort((a, b) => cmp(a.path ?? '', b.path ?? ''));
      if (mine.length === 0) {
        const n = needShared.get(term.id) ?? { term, users: new Set<string>() };
        n.users.add(user);
        needShared.set(term.id, n);
        continue;
      }
      const variants = own.get(term.id) ?? new Map();
      own.set(term.id, variants);
      for (const t of mine) {
        const key = textKey(t.text);
        const v = variants.get(key) ?? { text: t.text, path: t.path ?? c.ref, users: new Set<string>() };
        if (cmp(t.path ?? c.ref, v.path) < 0) Object.assign(v, { text: t.text, path: t.path ?? c.ref });
        v.users.add(user);
        variants.set(key, v);
      }
    }
  }

  const licenses: LicenseTextEntry[] = [];
  for (const id of [...termKinds.keys()].sort(cmp)) {
    const term = termKinds.get(id)!;
    const variants: LicenseTextVariant[] = [];
    const entry: LicenseTextEntry = { id, kind: term.kind, variants };
    const title = term.kind === 'spdx' ? spdxListName(id) : undefined;
    if (title) entry.title = title;
    const shared = needShared.get(id);
    const ownVariants = own.get(id) ?? new Map<string, { text: string; path: string; users: Set<string> }>();
    if (shared) {
      const ids = textIdsFor(term);
      const fromImage = ids.map((x) => common.get(x)).find((x) => x !== undefined);
      const fromList = term.kind === 'spdx' ? ids.map((x) => spdxListText(x)).find((x) => x !== undefined) : undefined;
      if (fromImage) {
        variants.push({
          text: fromImage.text,
          source: { kind: 'image', path: fromImage.path, component: fromImage.component },
          usedBy: [],
        });
      } else if (fromList) {
        variants.push({ text: fromList.text, source: { kind: 'spdx', listVersion: spdxListVersion() }, usedBy: [] });
      }
      const sharedVariant = variants[0];
      if (sharedVariant) {
        // A component's own copy identical to the shared text is that text.
        const same = ownVariants.get(textKey(sharedVariant.text));
        if (same) {
          for (const u of same.users) shared.users.add(u);
          ownVariants.delete(textKey(sharedVariant.text));
        }
        sharedVariant.usedBy = [...shared.users].sort(cmp);
      } else {
        entry.missing = missingReason(term);
        entry.missingFor = [...shared.users].sort(cmp);
      }
    }
    const rest = [...ownVariants.values()].sort((a, b) => cmp(a.path, b.path) || cmp(a.text, b.text));
    for (const v of rest) {
      variants.push({
        text: v.text,
        source: { kind: 'image', path: v.path, component: [...v.users].sort(cmp)[0]! },
        usedBy: [...v.users].sort(cmp),
      });
    }
    licenses.push(entry);
  }

  const sortedGroups = [...groups.values()].sort(
    (a, b) => cmp(a.expression.toLowerCase(), b.expression.toLowerCase()) || cmp(a.expression, b.expression),
  );
  for (const g of sortedGroups)
    g.components.sort((a, b) => cmp(a.name, b.name) || cmp(a.version ?? '', b.version ?? '') || cmp(a.ref, b.ref));
  steps.sort((a, b) => cmp(a.step, b.step));
  unknownLicense.sort((a, b) => cmp(a.name, b.name) || cmp(a.version ?? '', b.version ?? '') || cmp(a.ref, b.ref));

  const subject = sbom.subject;
  const attributedCount = sortedGroups.reduce((n, g) => n + g.components.length, 0);
  const image: Attribution['image'] = { name: subject?.name ?? '(unnamed image)' };
  if (subject?.version) image.version = subject.version;
  if (subject?.purl) image.purl = subject.purl;
  const coverage = subject ? prop(subject, 'scannable:coverage') : undefined;
  if (coverage) image.coverage = coverage;
  const dockerfile = subject ? prop(subject, 'scannable:dockerfile') : undefined;
  if (dockerfile) image.dockerfile = dockerfile;
  const platform = subject ? prop(subject, 'scannable:platform') : undefined;
  if (platform) image.platform = platform;
  const meta: Attribution['sbom'] = {};
  if (sbom.serialNumber) meta.serialNumber = sbom.serialNumber;
  if (sbom.version !== undefined) meta.version = sbom.version;
  if (sbom.timestamp) meta.timestamp = sbom.timestamp;
  if (sbom.aggregate) meta.complete = sbom.aggregate === 'complete';
  return {
    sbom: meta,
    image,
    groups: sortedGroups,
    licenses,
    notAttributed: { steps, unknownLicense },
    counts: {
      components: attributedCount + unknownLicense.length,
      attributed: attributedCount,
      licenses: licenses.length,
      unattributedFiles: steps.reduce((n, s) => n + s.files.length, 0),
    },
  };
}

function missingReason(term: LicenseTerm): string {
  switch (term.kind) {
    case 'ref':
      return `${term.id} is not on the SPDX License List and the image carries no text for it`;
    case 'exception':
      return `the image carries no text for the exception ${term.id}, and the SPDX license data in use has no exception texts`;
    case 'name':
      return `"${term.id}" is not an SPDX expression and the image carries no text for it`;
    case 'spdx':
      return `the image carries no text for ${term.id}, and the SPDX License List data in use (spdx-license-list ${spdxListVersion()}) has none`;
  }
}
