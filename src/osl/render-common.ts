/**
 * Wording shared by the renderers, so that text, Markdown and HTML say the
 * same things in the same order and differ only in markup.
 */
import type { Attribution, AttributedComponent, LicenseTextEntry, LicenseTextVariant } from './model.js';

export const TITLE = 'Open Source Licenses';

export function componentLabel(c: { name: string; version?: string }): string {
  return c.version ? `${c.name} ${c.version}` : c.name;
}

/** The details of a component as label/value pairs, in a fixed order. */
export function componentFields(c: AttributedComponent): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (c.purl) out.push(['Package URL', c.purl]);
  for (const cr of c.copyrights) out.push(['Copyright', cr]);
  if (c.supplier) out.push(['Supplier', c.supplier]);
  if (c.website) out.push(['Website', c.website]);
  if (c.vcs) out.push(['Source repository', c.vcs]);
  for (const n of c.notes) out.push(['Note', n]);
  if (c.installedBy) out.push(['Installed by', c.installedBy]);
  return out;
}

/** Header lines about the image and the SBOM, as label/value pairs. */
export function headerFields(a: Attribution): Array<[string, string]> {
  const out: Array<[string, string]> = [['Image', a.image.name]];
  if (a.image.version) out.push(['Image id', a.image.version]);
  if (a.image.purl) out.push(['Package URL', a.image.purl]);
  if (a.image.platform) out.push(['Platform', a.image.platform]);
  if (a.image.dockerfile) out.push(['Dockerfile', a.image.dockerfile]);
  const sbom = [
    a.sbom.serialNumber,
    a.sbom.version !== undefined ? `version ${a.sbom.version}` : undefined,
    a.sbom.timestamp,
  ]
    .filter(Boolean)
    .join(', ');
  if (sbom) out.push(['SBOM', sbom]);
  if (a.image.coverage) out.push(['Coverage', coverageText(a.image.coverage)]);
  return out;
}

function coverageText(ratio: string): string {
  const r = Number(ratio);
  return Number.isFinite(r) ? `${(r * 100).toFixed(2)}% of the image's files have a known origin` : ratio;
}

export function summary(a: Attribution): string {
  const c = a.counts;
  const parts = [
    `This image contains ${c.components} component${c.components === 1 ? '' : 's'}: ${c.attributed} attributed under ${a.groups.length} license expression${a.groups.length === 1 ? '' : 's'} naming ${c.licenses} license${c.licenses === 1 ? '' : 's'}`,
  ];
  const un = a.notAttributed;
  if (un.unknownLicense.length || un.steps.length) {
    const what: string[] = [];
    if (un.unknownLicense.length)
      what.push(`${un.unknownLicense.length} component${un.unknownLicense.length === 1 ? '' : 's'} of unknown license`);
    if (un.steps.length)
      what.push(
        `${c.unattributedFiles} file${c.unattributedFiles === 1 ? '' : 's'} of unknown origin from ${un.steps.length} build step${un.steps.length === 1 ? '' : 's'}`,
      );
    parts.push(`not attributed: ${what.join(' and ')} (see "Not attributed")`);
  }
  if (a.sbom.complete === false && !un.steps.length) parts.push('the SBOM marks its inventory as incomplete');
  return parts.join('; ') + '.';
}

export function licenseHeading(l: LicenseTextEntry): string {
  const kind = l.kind === 'exception' ? 'exception ' : '';
  return l.title && l.title !== l.id ? `${kind}${l.id} (${l.title})` : `${kind}${l.id}`;
}

export function variantSource(v: LicenseTextVariant): string {
  return v.source.kind === 'image'
    ? `Text as found in the image at ${v.source.path} (${v.source.component})`
    : `Text from the SPDX License List (spdx-license-list ${v.source.listVersion})`;
}

export function usedBy(names: readonly string[]): string {
  return `Applies to: ${names.join(', ')}`;
}

export const NOT_ATTRIBUTED_FILES_INTRO =
  'Files of the image that no build step could account for: their origin and license are unknown. Each group names the step that last wrote the files.';
export const UNKNOWN_LICENSE_INTRO = 'Components whose license is not known, with the reason:';
export const NOTHING_UNATTRIBUTED = 'Every file and component of the image is attributed.';

/** Stable anchor ids for license sections ("GPL-2.0-only" -> "license-gpl-2-0-only"), unique within a document. */
export function licenseAnchors(a: Attribution): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const l of a.licenses) {
    const base =
      'license-' +
      (l.kind === 'exception' ? 'exception-' : '') +
      (l.id
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'x');
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    out.set(l.id, id);
  }
  return out;
}

/** Normalises line endings and ends a text with exactly one newline. */
export function textBlock(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s+$/, '') + '\n';
}
