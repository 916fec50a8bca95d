/**
 * License terms of an expression and where their full texts come from: the
 * image itself (license evidence in the SBOM), else the SPDX License List data
 * package. A text that is not available is reported as missing, never made up.
 */
import { createRequire } from 'node:module';
import { parseSpdx, type SpdxNode } from '../track/licenses/spdx.js';

const require = createRequire(import.meta.url);

interface SpdxListEntry {
  name: string;
  url: string;
  osiApproved: boolean;
  licenseText: string;
}

let spdxFull: Readonly<Record<string, SpdxListEntry>> | undefined;
// Loaded on first use: the data is several megabytes and `sources` never needs it.
function spdxList(): Readonly<Record<string, SpdxListEntry>> {
  spdxFull ??= require('spdx-license-list/full') as Record<string, SpdxListEntry>;
  return spdxFull;
}

/** The version of the SPDX license data in use, named in the output next to texts taken from it. */
export function spdxListVersion(): string {
  return (require('spdx-license-list/package.json') as { version: string }).version;
}

/** One license (or exception) an expression names. */
export interface LicenseTerm {
  /** SPDX id, LicenseRef-*, exception id, or a free-text name. */
  id: string;
  kind: 'spdx' | 'ref' | 'exception' | 'name';
  /** `GPL-2.0+`: the text is that of the named version. */
  plus?: boolean;
}

/** The distinct terms of an expression, in order of first appearance. A string that is not SPDX is one named term. */
export function termsOf(expression: string): LicenseTerm[] {
  let node: SpdxNode;
  try {
    node = parseSpdx(expression, { lenient: true });
  } catch {
    return [{ id: expression, kind: 'name' }];
  }
  const out: LicenseTerm[] = [];
  const seen = new Set<string>();
  const add = (t: LicenseTerm): void => {
    const key = `${t.kind}:${t.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(t);
  };
  const walk = (n: SpdxNode): void => {
    if (n.type === 'and' || n.type === 'or') return n.children.forEach(walk);
    if (n.type === 'license') add({ id: n.id, kind: 'spdx', ...(n.plus ? { plus: true } : {}) });
    else add({ id: n.id, kind: 'ref' });
    if (n.exception) add({ id: n.exception, kind: 'exception' });
  };
  walk(node);
  return out;
}

/**
 * Ids whose text is the text of `id`: a `-or-later` license is granted under
 * the terms of the named version, whose text Debian ships as e.g.
 * common-licenses/GPL-2 (recorded as GPL-2.0-only).
 */
export function textIdsFor(term: LicenseTerm): string[] {
  const ids = [term.id];
  const m = /^(.*)-or-later$/.exec(term.id);
  if (m) ids.push(`${m[1]}-only`);
  if (term.plus && /^(A?GPL|LGPL|GFDL)-/.test(term.id) && !term.id.endsWith('-only')) ids.push(`${term.id}-only`);
  return ids;
}

/**
 * A text that only points at Debian's common-licenses copy ("On Debian
 * systems, the complete text ... can be found in /usr/share/common-licenses/GPL-2")
 * is a notice, not the license's full text.
 */
export function isPointerText(text: string): boolean {
  return text.includes('/usr/share/common-licenses/');
}

/** The SPDX License List's name and text for an id, when the list has it. */
export function spdxListText(id: string): { name: string; text: string } | undefined {
  const e = Object.hasOwn(spdxList(), id) ? spdxList()[id] : undefined;
  return e && e.licenseText.trim() !== '' ? { name: e.name, text: e.licenseText } : undefined;
}

/** The SPDX License List's full name of a license, when it has it. */
export function spdxListName(id: string): string | undefined {
  return Object.hasOwn(spdxList(), id) ? spdxList()[id]!.name : undefined;
}

/** Whitespace-insensitive identity of a text, for telling variants apart. */
export function textKey(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
