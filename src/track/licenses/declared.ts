/**
 * License statements declared in package metadata (apk L:, rpm LICENSE,
 * package.json, Python METADATA, gemspecs): usually SPDX already, sometimes a
 * legacy name ("GPLv2+", "Apache 2.0", "MIT License"), sometimes prose.
 * Mapped in that order of trust; what does not map becomes a LicenseRef-*
 * with the original text kept by the caller, never a guess.
 */
import { mapDebianLicense, mapLicenseName } from './debian.js';
import { licenseRef, normalizeSpdx } from './spdx.js';
import { lookup } from '../lookup.js';

// Common spellings of license names in package metadata that are not SPDX ids
// but name exactly one license. Keys: lower case, spaces collapsed.
const ALIASES: Record<string, string> = {
  'mit license': 'MIT',
  'the mit license': 'MIT',
  'mit/expat': 'MIT',
  'apache 2.0': 'Apache-2.0',
  'apache 2': 'Apache-2.0',
  'apache-2': 'Apache-2.0',
  'apache license 2.0': 'Apache-2.0',
  'apache license, version 2.0': 'Apache-2.0',
  'apache license version 2.0': 'Apache-2.0',
  'apache software license 2.0': 'Apache-2.0',
  'asl 2.0': 'Apache-2.0',
  'new bsd license': 'BSD-3-Clause',
  'modified bsd license': 'BSD-3-Clause',
  '3-clause bsd license': 'BSD-3-Clause',
  'bsd 3-clause': 'BSD-3-Clause',
  'bsd-3': 'BSD-3-Clause',
  'simplified bsd license': 'BSD-2-Clause',
  'bsd 2-clause': 'BSD-2-Clause',
  'isc license': 'ISC',
  'mpl 2.0': 'MPL-2.0',
  'mozilla public license 2.0': 'MPL-2.0',
  psf: 'PSF-2.0',
  'psf license': 'PSF-2.0',
  'psf-2.0': 'PSF-2.0',
  'python software foundation license': 'PSF-2.0',
  'public domain': 'LicenseRef-public-domain',
  'public-domain': 'LicenseRef-public-domain',
  'zlib/libpng': 'Zlib',
  'the unlicense': 'Unlicense',
};

export interface DeclaredLicense {
  expression: string;
  /** True when the text was SPDX (or a name with exactly one SPDX meaning). */
  mapped: boolean;
}

/** Each name between parentheses and and/or operators mapped on its own; undefined when unbalanced. */
function mapGrouped(t: string): DeclaredLicense | undefined {
  let mapped = true;
  const parts = t.split(/(\(|\)|\s+and\s+|\s+or\s+)/i).filter((x) => x.trim() !== '');
  const out = parts.map((x) => {
    const op = x.trim().toLowerCase();
    if (op === '(' || op === ')') return op;
    if (op === 'and' || op === 'or') return ` ${op.toUpperCase()} `;
    const name = x.trim();
    const id = normalizeSpdx(name) ?? lookup(ALIASES, name.toLowerCase()) ?? mapLicenseName(name);
    if (id && !id.includes('LicenseRef-')) return `(${id})`;
    mapped = false;
    return id ?? licenseRef(name);
  });
  const expression = normalizeSpdx(out.join(''));
  return expression ? { expression, mapped } : undefined;
}

/** Map one declared license string to a valid SPDX expression. */
export function mapDeclaredLicense(text: string): DeclaredLicense {
  const t = text.replace(/\s+/g, ' ').trim();
  const spdx = normalizeSpdx(t);
  if (spdx) return { expression: spdx, mapped: !spdx.includes('LicenseRef-') };
  const alias = lookup(ALIASES, t.toLowerCase());
  if (alias) return { expression: alias, mapped: !alias.startsWith('LicenseRef-') };
  const single = mapLicenseName(t);
  if (single) return { expression: single, mapped: !single.startsWith('LicenseRef-') };
  // Legacy names with parentheses ("MIT and (GPLv2+ or ASL 2.0)", Fedora's old style).
  if (/[()]/.test(t) && /\s(and|or)\s/i.test(t) && t.length < 500) {
    const grouped = mapGrouped(t);
    if (grouped) return grouped;
  }
  // Legacy names joined by and/or ("GPLv2+ and LGPLv2+").
  if (/\s(and|or)\s/i.test(t) && t.length < 200) {
    const d = mapDebianLicense(t);
    return { expression: d.expression, mapped: d.unmapped.length === 0 };
  }
  return { expression: licenseRef(t), mapped: false };
}

// Trove license classifiers (the text after "License :: ") that name exactly
// one license. Unversioned ones ("BSD License", "Apache Software License")
// are deliberately absent: they do not say which license.
const CLASSIFIERS: Record<string, string> = {
  'OSI Approved :: MIT License': 'MIT',
  'OSI Approved :: MIT No Attribution License (MIT-0)': 'MIT-0',
  'OSI Approved :: ISC License (ISCL)': 'ISC',
  'OSI Approved :: Python Software Foundation License': 'PSF-2.0',
  'OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)': 'MPL-1.1',
  'OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'OSI Approved :: GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'OSI Approved :: GNU General Public License v2 or later (GPLv2+)': 'GPL-2.0-or-later',
  'OSI Approved :: GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'OSI Approved :: GNU General Public License v3 or later (GPLv3+)': 'GPL-3.0-or-later',
  'OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)': 'LGPL-2.0-only',
  'OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)': 'LGPL-2.0-or-later',
  'OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)': 'LGPL-3.0-or-later',
  'OSI Approved :: GNU Affero General Public License v3': 'AGPL-3.0-only',
  'OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)': 'AGPL-3.0-or-later',
  'OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)': 'EPL-2.0',
  'OSI Approved :: Boost Software License 1.0 (BSL-1.0)': 'BSL-1.0',
  'OSI Approved :: The Unlicense (Unlicense)': 'Unlicense',
  'OSI Approved :: zlib/libpng License': 'Zlib',
  'OSI Approved :: Zope Public License': 'LicenseRef-Zope-Public-License',
  'OSI Approved :: Academic Free License (AFL)': 'LicenseRef-AFL',
  'CC0 1.0 Universal (CC0 1.0) Public Domain Dedication': 'CC0-1.0',
  'Public Domain': 'LicenseRef-public-domain',
};

/** A "License :: ..." classifier to an SPDX expression (LicenseRef-* when it names no single license). */
export function mapLicenseClassifier(classifier: string): DeclaredLicense | undefined {
  const m = /^License\s*::\s*(.+)$/.exec(classifier.trim());
  if (!m) return undefined;
  const body = m[1]!.replace(/\s+/g, ' ');
  const known = lookup(CLASSIFIERS, body);
  if (known) return { expression: known, mapped: !known.startsWith('LicenseRef-') };
  return { expression: licenseRef(body.split(' :: ').pop()!), mapped: false };
}
