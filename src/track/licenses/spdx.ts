/**
 * SPDX license expressions (SPDX 2.3 Annex D): parse, validate, normalise.
 *
 * Written here rather than taken from spdx-expression-parse because we need
 * more than a strict yes/no: case-insensitive id matching with canonical
 * output ("bsd-3-clause" -> "BSD-3-Clause"), deprecated ids rewritten to their
 * current form ("GPL-2.0+" -> "GPL-2.0-or-later"), AND-combination of many
 * statements with the right parentheses, and a lenient mode for metadata that
 * writes operators in lower case. The id lists themselves come from
 * spdx-license-ids and spdx-exceptions (the SPDX license list data).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const licenseIds: string[] = require('spdx-license-ids');
const deprecatedLicenseIds: string[] = require('spdx-license-ids/deprecated.json');
const exceptionIds: string[] = require('spdx-exceptions');
const deprecatedExceptionIds: string[] = require('spdx-exceptions/deprecated.json');

const LICENSES = new Map<string, string>();
for (const id of [...deprecatedLicenseIds, ...licenseIds]) LICENSES.set(id.toLowerCase(), id);
const EXCEPTIONS = new Map<string, string>();
for (const id of [...deprecatedExceptionIds, ...exceptionIds]) EXCEPTIONS.set(id.toLowerCase(), id);
const DEPRECATED = new Set(deprecatedLicenseIds);

/** The canonical spelling of a current or deprecated SPDX license id, matched case-insensitively. */
export function spdxLicenseId(id: string): string | undefined {
  return LICENSES.get(id.toLowerCase());
}

/** The canonical spelling of an SPDX exception id, matched case-insensitively. */
export function spdxExceptionId(id: string): string | undefined {
  return EXCEPTIONS.get(id.toLowerCase());
}

export function isDeprecatedLicenseId(id: string): boolean {
  return DEPRECATED.has(id);
}

export type SpdxNode =
  | { type: 'license'; id: string; plus: boolean; exception?: string }
  | { type: 'ref'; id: string; exception?: string }
  | { type: 'and'; children: SpdxNode[] }
  | { type: 'or'; children: SpdxNode[] };

export interface SpdxParseOptions {
  /** Accept lower/mixed-case operators (and, or, with). Ids are always case-insensitive. */
  lenient?: boolean;
}

export class SpdxError extends Error {}

const IDSTRING = /^[A-Za-z0-9.-]+$/;

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(s)) !== null) {
    out.push(m[1]!);
    last = re.lastIndex;
  }
  if (s.slice(last).trim() !== '') throw new SpdxError(`unexpected text "${s.slice(last)}"`);
  return out;
}

/** Parse an SPDX expression; throws SpdxError with a reason when it is not one. */
export function parseSpdx(expression: string, opts: SpdxParseOptions = {}): SpdxNode {
  const tokens = tokenize(expression);
  let i = 0;
  const isOp = (t: string | undefined, op: string): boolean =>
    t !== undefined && (opts.lenient ? t.toUpperCase() === op : t === op);

  const parseOr = (): SpdxNode => {
    const children = [parseAnd()];
    while (isOp(tokens[i], 'OR')) {
      i++;
      children.push(parseAnd());
    }
    return children.length === 1 ? children[0]! : { type: 'or', children };
  };
  const parseAnd = (): SpdxNode => {
    const children = [parseWith()];
    while (isOp(tokens[i], 'AND')) {
      i++;
      children.push(parseWith());
    }
    return children.length === 1 ? children[0]! : { type: 'and', children };
  };
  const parseWith = (): SpdxNode => {
    const node = parseAtom();
    if (isOp(tokens[i], 'WITH')) {
      i++;
      const t = tokens[i++];
      const exc = t === undefined ? undefined : spdxExceptionId(t);
      if (!exc) throw new SpdxError(`"${t ?? ''}" is not an SPDX exception id`);
      if (node.type === 'and' || node.type === 'or') throw new SpdxError('WITH applies to a single license');
      if (node.exception) throw new SpdxError('only one WITH per license');
      node.exception = exc;
    }
    return node;
  };
  const parseAtom = (): SpdxNode => {
    const t = tokens[i++];
    if (t === undefined) throw new SpdxError('expression ends too early');
    if (t === '(') {
      const inner = parseOr();
      if (tokens[i++] !== ')') throw new SpdxError('missing ")"');
      return inner;
    }
    if (t === ')' || isOp(t, 'AND') || isOp(t, 'OR') || isOp(t, 'WITH')) {
      throw new SpdxError(`unexpected "${t}"`);
    }
    const ref = /^(?:DocumentRef-([A-Za-z0-9.-]+):)?LicenseRef-([A-Za-z0-9.-]+)$/.exec(t);
    if (ref) return { type: 'ref', id: t };
    const plus = t.endsWith('+');
    const bare = plus ? t.slice(0, -1) : t;
    const id = spdxLicenseId(bare);
    if (!id) throw new SpdxError(`"${bare}" is not an SPDX license id`);
    return { type: 'license', id, plus };
  };

  const node = parseOr();
  if (i < tokens.length) throw new SpdxError(`unexpected "${tokens[i]}"`);
  return node;
}

/** True when `expression` is a valid SPDX expression (operators in upper case). */
export function isValidSpdx(expression: string): boolean {
  try {
    parseSpdx(expression);
    return true;
  } catch {
    return false;
  }
}

// Deprecated GNU ids name a version without saying "only" or "or later"; the
// SPDX list replaced them with explicit -only / -or-later forms.
const GNU_FAMILY = /^(AGPL-1\.0|AGPL-3\.0|GFDL-1\.[123]|GPL-[123]\.0|LGPL-2\.[01]|LGPL-3\.0)$/;

function modernise(n: SpdxNode): SpdxNode {
  if (n.type === 'and' || n.type === 'or') return { ...n, children: n.children.map(modernise) };
  if (n.type === 'ref') return n;
  if (GNU_FAMILY.test(n.id)) {
    const id = spdxLicenseId(n.id + (n.plus ? '-or-later' : '-only'));
    if (id) return { ...n, id, plus: false };
  }
  return n;
}

/** Flatten nested AND-in-AND / OR-in-OR and drop exact duplicate operands. */
function flatten(n: SpdxNode): SpdxNode {
  if (n.type !== 'and' && n.type !== 'or') return n;
  const out: SpdxNode[] = [];
  const seen = new Set<string>();
  for (const c0 of n.children) {
    const c = flatten(c0);
    const parts = c.type === n.type ? (c as { children: SpdxNode[] }).children : [c];
    for (const p of parts) {
      const key = formatSpdx(p);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(p);
    }
  }
  return out.length === 1 ? out[0]! : { ...n, children: out };
}

export function formatSpdx(n: SpdxNode): string {
  switch (n.type) {
    case 'license':
      return n.id + (n.plus ? '+' : '') + (n.exception ? ` WITH ${n.exception}` : '');
    case 'ref':
      return n.id + (n.exception ? ` WITH ${n.exception}` : '');
    case 'and':
      return n.children.map((c) => (c.type === 'or' ? `(${formatSpdx(c)})` : formatSpdx(c))).join(' AND ');
    case 'or':
      return n.children.map((c) => (c.type === 'and' ? `(${formatSpdx(c)})` : formatSpdx(c))).join(' OR ');
  }
}

/**
 * Canonical form of an expression (ids in their list spelling, deprecated GNU
 * ids made explicit, operators upper-cased, duplicates dropped), or undefined
 * when it is not an SPDX expression even leniently.
 */
export function normalizeSpdx(expression: string): string | undefined {
  try {
    return formatSpdx(flatten(modernise(parseSpdx(expression, { lenient: true }))));
  } catch {
    return undefined;
  }
}

/** A LicenseRef id that keeps the original name readable ("BSD-3-clause-pcre" -> "LicenseRef-BSD-3-clause-pcre"). */
export function licenseRef(name: string): string {
  const cleaned = name
    .trim()
    .replace(/\+/g, '-plus')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 120);
  return 'LicenseRef-' + (cleaned || 'unnamed');
}

/** AND of several valid expressions, each kept whole, duplicates dropped; undefined for none. */
export function andAll(expressions: readonly string[]): string | undefined {
  const nodes: SpdxNode[] = [];
  for (const e of expressions) {
    try {
      nodes.push(parseSpdx(e, { lenient: true }));
    } catch {
      // Callers pass expressions they built; an invalid one is dropped rather than corrupting the rest.
    }
  }
  if (nodes.length === 0) return undefined;
  return formatSpdx(flatten(nodes.length === 1 ? nodes[0]! : { type: 'and', children: nodes }));
}

export { IDSTRING as SPDX_IDSTRING };
