/**
 * Debian license short names (DEP-5 "License:" synopses) to SPDX expressions.
 *
 * DEP-5 syntax: "A or B", "A and B" ("and" binds tighter), commas lower the
 * precedence of the operator after them ("A or B, and C" = (A OR B) AND C),
 * "X with Y exception". Each name is mapped conservatively: an SPDX id written
 * in any case, a GNU family name with a version (GPL-2+, LGPLv2.1+, GPL-3.0),
 * or one of the few Debian names whose meaning is fixed by DEP-5 itself
 * (Expat, Artistic, public-domain...). Everything else becomes a LicenseRef-*
 * that keeps the name readable, so nothing is guessed.
 */
import { andAll, formatSpdx, licenseRef, parseSpdx, spdxExceptionId, spdxLicenseId } from './spdx.js';
import { lookup } from '../lookup.js';

export interface MappedLicense {
  /** A valid SPDX expression. */
  expression: string;
  /** Names that had no SPDX equivalent and became LicenseRef-* ids. */
  unmapped: string[];
}

// Names DEP-5 defines (or Debian's common-licenses ships) whose SPDX meaning
// is not spelled the same way. Keys are lower case.
const DEBIAN_NAMES: Record<string, string> = {
  expat: 'MIT',
  // Debian's common-licenses/Artistic is the Artistic License shipped with Perl.
  artistic: 'Artistic-1.0-Perl',
  'artistic-1': 'Artistic-1.0',
  'artistic-2': 'Artistic-2.0',
  // DEP-5: "Perl: Perl license (use 'GPL-1+ or Artistic-1' instead)".
  perl: 'Artistic-1.0-Perl OR GPL-1.0-or-later',
  'public-domain': 'LicenseRef-public-domain',
  'public domain': 'LicenseRef-public-domain',
  pd: 'LicenseRef-public-domain',
  cc0: 'CC0-1.0',
  'boost-1.0': 'BSL-1.0',
  'apache-2': 'Apache-2.0',
  'apache-1': 'Apache-1.0',
  'mpl-2': 'MPL-2.0',
  'mpl-1': 'MPL-1.0',
  'zope-2.1': 'ZPL-2.1',
  'zope-2.0': 'ZPL-2.0',
  'zope-1.1': 'ZPL-1.1',
};

// GNU licenses: versions that exist, in SPDX's spelling.
const GNU_VERSIONS: Record<string, Record<string, string>> = {
  GPL: { '1': '1.0', '1.0': '1.0', '2': '2.0', '2.0': '2.0', '3': '3.0', '3.0': '3.0' },
  LGPL: { '2': '2.0', '2.0': '2.0', '2.1': '2.1', '3': '3.0', '3.0': '3.0' },
  AGPL: { '1': '1.0', '1.0': '1.0', '3': '3.0', '3.0': '3.0' },
  GFDL: { '1.1': '1.1', '1.2': '1.2', '1.3': '1.3' },
};

/** Map one license name (no operators) to an SPDX id, or undefined. */
export function mapLicenseName(name: string): string | undefined {
  const n = name.trim();
  if (n === '') return undefined;
  const lower = n.toLowerCase();
  const fixed = lookup(DEBIAN_NAMES, lower);
  if (fixed) return fixed;
  // GNU families: GPL-2, GPL-2+, GPLv2+, GPL2, GPL-2.0-or-later, LGPL-2.1, GFDL-NIV-1.3+ ...
  const gnu = /^(A?GPL|LGPL|GFDL)(-NIV)?[-_ ]?v?(\d(?:\.\d)?)(\+|-or-later|-only)?$/i.exec(n);
  if (gnu) {
    const family = gnu[1]!.toUpperCase();
    const niv = gnu[2] !== undefined;
    const versions = lookup(GNU_VERSIONS, family);
    const version = versions ? lookup(versions, gnu[3]!) : undefined;
    if (!version || (niv && family !== 'GFDL')) return undefined;
    const later = gnu[4] === '+' || gnu[4]?.toLowerCase() === '-or-later';
    const id = `${family}-${version}${niv ? '-no-invariants' : ''}-${later ? 'or-later' : 'only'}`;
    return spdxLicenseId(id);
  }
  const plus = n.endsWith('+');
  const bare = plus ? n.slice(0, -1) : n;
  let id = spdxLicenseId(bare);
  // "MPL-2", "EFL-2": a major version written without ".0" when only X.0 exists.
  if (!id && /-\d+$/.test(bare)) id = spdxLicenseId(bare + '.0');
  if (!id) return undefined;
  // A deprecated GNU id ("GPL-2.0", "LGPL-2.1+") is made explicit.
  const modern = /^(A?GPL|LGPL|GFDL)-\d\.\d$/.test(id)
    ? spdxLicenseId(`${id}-${plus ? 'or-later' : 'only'}`)
    : undefined;
  if (modern) return modern;
  return plus ? id + '+' : id;
}

/** Map an exception name ("Bison", "Autoconf", "Linux-syscall-note", "GCC-Runtime-3.1") for a given license id. */
export function mapExceptionName(name: string, licenseId: string): string | undefined {
  const n = name
    .trim()
    .replace(/[-_ ]+/g, '-')
    .toLowerCase();
  const gpl3 = /^(A?GPL|LGPL)-3/.test(licenseId);
  switch (n) {
    case 'bison':
      return gpl3 ? 'Bison-exception-2.2' : 'Bison-exception-1.24';
    case 'bison-2.2':
      return 'Bison-exception-2.2';
    case 'autoconf':
      return gpl3 ? 'Autoconf-exception-3.0' : 'Autoconf-exception-2.0';
    case 'libtool':
      return 'Libtool-exception';
    case 'classpath':
      return 'Classpath-exception-2.0';
    case 'gcc-runtime-3.1':
    case 'gcc-3.1':
      return 'GCC-exception-3.1';
    case 'font':
      return 'Font-exception-2.0';
    case 'llvm':
      return 'LLVM-exception';
    case 'texinfo':
      return 'Texinfo-exception';
    case 'linux-syscall-note':
      return 'Linux-syscall-note';
  }
  return spdxExceptionId(n) ?? spdxExceptionId(n + '-exception');
}

/** One operand of a DEP-5 expression: "GPL-2+" or "GPL-3+ with Bison exception". */
function mapAtom(atom: string, unmapped: string[]): string {
  const a = atom.trim();
  const withForm =
    /^(.+?)\s+with\s+(.+?)\s+exception$/i.exec(a) ??
    /^(.+?)-with-(.+?)-exception$/i.exec(a) ??
    /^((?:A?GPL|LGPL)[^ ]*?)-([a-z]+)-exception$/i.exec(a);
  if (withForm) {
    const lic = mapLicenseName(withForm[1]!);
    // An exception only attaches to a single plain license id.
    if (lic && /^[A-Za-z0-9.-]+\+?$/.test(lic) && !lic.startsWith('LicenseRef-')) {
      const exc = mapExceptionName(withForm[2]!, lic);
      if (exc) return `${lic} WITH ${exc}`;
    }
    unmapped.push(a);
    return licenseRef(a);
  }
  const id = mapLicenseName(a);
  if (id) return id;
  unmapped.push(a);
  return licenseRef(a);
}

function combine(parts: string[], op: 'AND' | 'OR'): string {
  if (parts.length === 1) return parts[0]!;
  return formatSpdx(parseSpdx(parts.map((p) => `(${p})`).join(` ${op} `)));
}

/** "A or B and C" without commas: "and" binds tighter than "or". Undefined when an operand is empty. */
function mapSegment(seg: string, unmapped: string[]): string | undefined {
  const ors = (' ' + seg + ' ').split(/\s+or\s+/i).map((o) => (' ' + o + ' ').split(/\s+and\s+/i).map((x) => x.trim()));
  if (ors.some((ands) => ands.some((x) => x === ''))) return undefined;
  return combine(
    ors.map((ands) =>
      combine(
        ands.map((x) => mapAtom(x, unmapped)),
        'AND',
      ),
    ),
    'OR',
  );
}

/**
 * Map a DEP-5 license synopsis to a valid SPDX expression. Constructs DEP-5
 * does not define ("and/or", a bare comma list, an empty operand) map the whole
 * synopsis to one LicenseRef rather than guessing what was meant.
 */
export function mapDebianLicense(synopsis: string): MappedLicense {
  const hit = memo.get(synopsis);
  if (hit) return hit;
  const r = mapDebianLicenseUncached(synopsis);
  if (memo.size > 10_000) memo.clear();
  memo.set(synopsis, r);
  return r;
}

// Copyright files repeat the same few names thousands of times (Boost: ~6000 paragraphs).
const memo = new Map<string, MappedLicense>();

function mapDebianLicenseUncached(synopsis: string): MappedLicense {
  const s = synopsis.replace(/\s+/g, ' ').trim();
  const unmapped: string[] = [];
  const whole = (): MappedLicense => ({ expression: licenseRef(s), unmapped: [s] });
  if (s === '') return { expression: licenseRef('empty'), unmapped: [''] };
  if (/\band\/or\b/i.test(s)) return whole();
  const segments = s.split(',');
  let expr: string | undefined;
  for (let i = 0; i < segments.length; i++) {
    let seg = segments[i]!.trim();
    let op: 'AND' | 'OR' = 'AND';
    if (i > 0) {
      const m = /^(and|or)\s+(.*)$/i.exec(seg);
      if (!m) return whole();
      op = m[1]!.toUpperCase() as 'AND' | 'OR';
      seg = m[2]!;
    }
    const mapped = mapSegment(seg, unmapped);
    if (mapped === undefined) return whole();
    expr = expr === undefined ? mapped : combine([expr, mapped], op);
  }
  const normal = expr === undefined ? undefined : andAll([expr]);
  return normal ? { expression: normal, unmapped } : whole();
}
