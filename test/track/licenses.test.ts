import { describe, expect, it } from 'vitest';
import { mapDeclaredLicense, mapLicenseClassifier } from '../../src/track/licenses/declared.js';
import { mapDebianLicense } from '../../src/track/licenses/debian.js';
import { parseDebianCopyright } from '../../src/track/licenses/dep5.js';
import { andAll, isValidSpdx, licenseRef, normalizeSpdx } from '../../src/track/licenses/spdx.js';

describe('SPDX expressions', () => {
  it.each([
    'MIT',
    'GPL-2.0-or-later',
    'GPL-2.0+',
    'LicenseRef-foo.bar-1',
    'DocumentRef-x:LicenseRef-y',
    'MIT OR Apache-2.0',
    '(MIT OR Apache-2.0) AND BSD-3-Clause',
    'GPL-3.0-or-later WITH Bison-exception-2.2',
    'Apache-2.0 WITH LLVM-exception OR MIT',
  ])('valid: %s', (e) => expect(isValidSpdx(e)).toBe(true));

  it.each([
    '',
    'MIT OR',
    'AND MIT',
    '(MIT',
    'MIT)',
    'Expat',
    'GPL-2+',
    'MIT WITH Nonsense-exception',
    '(MIT OR GPL-2.0-only) WITH Classpath-exception-2.0',
    'LicenseRef-has space',
    'mit or apache-2.0',
  ])('invalid: %s', (e) => expect(isValidSpdx(e)).toBe(false));

  it.each([
    ['mit or apache-2.0', 'MIT OR Apache-2.0'],
    ['bsd-3-clause', 'BSD-3-Clause'],
    ['GPL-2.0+', 'GPL-2.0-or-later'],
    ['LGPL-2.1', 'LGPL-2.1-only'],
    ['MIT AND (MIT AND ISC)', 'MIT AND ISC'],
    ['(MIT OR ISC) AND Zlib', '(MIT OR ISC) AND Zlib'],
    ['MIT AND ISC OR Zlib', '(MIT AND ISC) OR Zlib'],
  ])('normalises %s -> %s', (i, o) => expect(normalizeSpdx(i)).toBe(o));

  it('combines statements with AND, keeping OR groups whole and dropping duplicates', () => {
    expect(andAll(['MIT OR ISC', 'Zlib', 'MIT OR ISC'])).toBe('(MIT OR ISC) AND Zlib');
    expect(andAll([])).toBeUndefined();
  });

  it('makes readable LicenseRef ids from any name', () => {
    expect(licenseRef('BSD-3-clause~Google')).toBe('LicenseRef-BSD-3-clause-Google');
    expect(licenseRef('GPL-2+ with foo')).toBe('LicenseRef-GPL-2-plus-with-foo');
    expect(isValidSpdx(licenseRef('  ~~ '))).toBe(true);
  });
});

describe('Debian short names to SPDX', () => {
  it.each([
    ['GPL-2', 'GPL-2.0-only'],
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['gpl-2+', 'GPL-2.0-or-later'],
    ['GPLv3+', 'GPL-3.0-or-later'],
    ['GPL-3.0', 'GPL-3.0-only'],
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['LGPL-2', 'LGPL-2.0-only'],
    ['BSD-3-clause', 'BSD-3-Clause'],
    ['bsd-2-clause', 'BSD-2-Clause'],
    ['Expat', 'MIT'],
    ['expat', 'MIT'],
    ['Artistic', 'Artistic-1.0-Perl'],
    ['Artistic-2.0', 'Artistic-2.0'],
    ['public-domain', 'LicenseRef-public-domain'],
    ['Apache-2', 'Apache-2.0'],
    ['MPL-2', 'MPL-2.0'],
    ['zlib', 'Zlib'],
    ['CC0', 'CC0-1.0'],
    ['GFDL-NIV-1.3+', 'GFDL-1.3-no-invariants-or-later'],
    ['GPL-3+ with Bison exception', 'GPL-3.0-or-later WITH Bison-exception-2.2'],
    ['GPL-2+ with Bison exception', 'GPL-2.0-or-later WITH Bison-exception-1.24'],
    ['GPL-2+ with Autoconf exception', 'GPL-2.0-or-later WITH Autoconf-exception-2.0'],
    ['GPL-3+ with Autoconf exception', 'GPL-3.0-or-later WITH Autoconf-exception-3.0'],
    ['GPL-2+ with Libtool exception', 'GPL-2.0-or-later WITH Libtool-exception'],
    ['GPL-2 with Linux-syscall-note exception', 'GPL-2.0-only WITH Linux-syscall-note'],
    ['GPL-3+ with GCC-Runtime-3.1 exception', 'GPL-3.0-or-later WITH GCC-exception-3.1'],
    ['Apache-2.0 with LLVM exception', 'Apache-2.0 WITH LLVM-exception'],
    ['GPL-3+-WITH-BISON-EXCEPTION', 'GPL-3.0-or-later WITH Bison-exception-2.2'],
    ['GPL-1+ or Artistic', 'GPL-1.0-or-later OR Artistic-1.0-Perl'],
    ['GPL-2+ or Artistic-2.0, and BSD-3-clause', '(GPL-2.0-or-later OR Artistic-2.0) AND BSD-3-Clause'],
    ['MIT or GPL-2 and ISC', 'MIT OR (GPL-2.0-only AND ISC)'],
    ['Apache-2.0 OR BSD-2-clause', 'Apache-2.0 OR BSD-2-Clause'],
  ])('%s -> %s', (name, spdx) => {
    const m = mapDebianLicense(name);
    expect(m.expression).toBe(spdx);
    expect(m.unmapped).toEqual([]);
    expect(isValidSpdx(m.expression)).toBe(true);
  });

  it.each([
    ['GPL', 'LicenseRef-GPL'],
    ['BSD-3-clause-pcre', 'LicenseRef-BSD-3-clause-pcre'],
    ['GPL-3+ with Autoconf-data exception', 'LicenseRef-GPL-3-plus-with-Autoconf-data-exception'],
    ['ISC and/or LGPL-2.1+', 'LicenseRef-ISC-and-or-LGPL-2.1-plus'],
    ['Permission to use, copy, modify', 'LicenseRef-Permission-to-use-copy-modify'],
    ['GPL-2+ or', 'LicenseRef-GPL-2-plus-or'],
  ])('keeps %s as %s (no guess)', (name, ref) => {
    const m = mapDebianLicense(name);
    expect(m.expression).toBe(ref);
    expect(m.unmapped.length).toBeGreaterThan(0);
    expect(isValidSpdx(m.expression)).toBe(true);
  });

  it('maps the known part of a mixed expression and keeps the rest as LicenseRef', () => {
    const m = mapDebianLicense('BSL-1.0 and OldBoost1');
    expect(m.expression).toBe('BSL-1.0 AND LicenseRef-OldBoost1');
    expect(m.unmapped).toEqual(['OldBoost1']);
  });
});

describe('declared metadata licenses', () => {
  it.each([
    ['MIT', 'MIT', true],
    ['Apache 2.0', 'Apache-2.0', true],
    ['GPLv2+ and LGPLv2+', 'GPL-2.0-or-later AND LGPL-2.0-or-later', true],
    ['(MIT OR Apache-2.0)', 'MIT OR Apache-2.0', true],
    ['BSD', 'LicenseRef-BSD', false],
    ['ASL 2.0', 'Apache-2.0', true],
    ['Some custom terms', 'LicenseRef-Some-custom-terms', false],
  ])('%s -> %s', (t, e, mapped) => {
    const m = mapDeclaredLicense(t);
    expect(m).toEqual({ expression: e, mapped });
  });
  it('maps only classifiers that name one license', () => {
    expect(mapLicenseClassifier('License :: OSI Approved :: MIT License')?.expression).toBe('MIT');
    expect(mapLicenseClassifier('License :: OSI Approved :: BSD License')?.expression).toBe('LicenseRef-BSD-License');
    expect(mapLicenseClassifier('Programming Language :: Python')).toBeUndefined();
  });
});

// Written for this test in the DEP-5 format (not copied from any package).
const DEP5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: widget
Source: https://example.org/widget

Files: *
Copyright: 2001-2004 Jane Roe <jane@example.org>
           2005 Widget Project
License: GPL-2+ with Bison exception

Files: lib/*
Copyright: 2010 John Doe
License: Expat or Apache-2.0, and Frobnicate-1.0

Files: debian/*
Copyright: 2020 A Maintainer
License: Expat
 Permission is granted to do anything with this file.

License: Frobnicate-1.0
 The Frobnicate license: do what you like,
 .
 but keep this notice.
`;

describe('DEP-5 copyright files', () => {
  const info = parseDebianCopyright(DEP5, '/usr/share/doc/widget/copyright');
  it('reads Files/License paragraphs into one valid expression', () => {
    expect(info.dep5).toBe(true);
    expect(info.licenses.map((l) => l.expression)).toEqual([
      'GPL-2.0-or-later WITH Bison-exception-1.24',
      '(MIT OR Apache-2.0) AND LicenseRef-Frobnicate-1.0',
      'MIT',
    ]);
    expect(info.expression).toBe(
      'GPL-2.0-or-later WITH Bison-exception-1.24 AND (MIT OR Apache-2.0) AND LicenseRef-Frobnicate-1.0 AND MIT',
    );
    expect(isValidSpdx(info.expression!)).toBe(true);
    expect(info.unmapped).toEqual(['Frobnicate-1.0']);
  });
  it('keeps full texts with the file they came from, " ." as an empty line', () => {
    expect(info.texts).toEqual([
      {
        id: 'MIT',
        name: 'Expat',
        text: 'Permission is granted to do anything with this file.',
        path: '/usr/share/doc/widget/copyright',
      },
      {
        id: 'LicenseRef-Frobnicate-1.0',
        name: 'Frobnicate-1.0',
        text: 'The Frobnicate license: do what you like,\n\nbut keep this notice.',
        path: '/usr/share/doc/widget/copyright',
      },
    ]);
  });
  it('collects copyright notices', () => {
    expect(info.copyrights).toEqual([
      '2001-2004 Jane Roe <jane@example.org>',
      '2005 Widget Project',
      '2010 John Doe',
      '2020 A Maintainer',
    ]);
  });
  it('reports Files paragraphs without a License', () => {
    const bad = parseDebianCopyright(DEP5 + '\nFiles: x/*\nCopyright: nobody\n', 'c');
    expect(bad.problems.some((p) => p.includes('without a License'))).toBe(true);
  });
});

describe('free-form copyright files', () => {
  it('takes "or later" only when the grant says so', () => {
    const text = `Copyright (C) 1999 Somebody

This program is free software; you can redistribute it under the terms of
the GNU General Public License, version 2, or (at your option) any later version.

On Debian systems the GPL is in /usr/share/common-licenses/GPL-2.

Parts are under the GNU Lesser General Public License version 2.1.
See /usr/share/common-licenses/LGPL-2.1 for the text.
`;
    const info = parseDebianCopyright(text, 'c');
    expect(info.dep5).toBe(false);
    expect(info.licenses.map((l) => [l.expression, l.confidence])).toEqual([
      ['GPL-2.0-or-later', 'inferred'],
      ['LGPL-2.1-only', 'weak'],
    ]);
    expect(info.copyrights).toEqual(['Copyright (C) 1999 Somebody']);
  });
  it('needs a version for the unversioned GPL link and says nothing without a reference', () => {
    expect(parseDebianCopyright('see /usr/share/common-licenses/GPL', 'c').licenses[0]?.expression).toBe(
      'LicenseRef-GPL',
    );
    const none = parseDebianCopyright('This package is distributed under some license.\n', 'c');
    expect(none.licenses).toEqual([]);
    expect(none.expression).toBeUndefined();
  });
});
