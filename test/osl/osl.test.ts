import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  buildAttribution,
  expressionOf,
  htmlEscape,
  loadSbom,
  mdEscape,
  parseSbom,
  renderHtml,
  renderMarkdown,
  renderText,
  SbomError,
} from '../../src/osl/index.js';
import { completeProvenance, sampleSbom, sbomOf, unknownsProvenance, type Json } from './helpers/sboms.js';

const require = createRequire(import.meta.url);
const spdxFull = require('spdx-license-list/full') as Record<string, { licenseText: string }>;

const attribution = (doc: Json) => buildAttribution(parseSbom(JSON.stringify(doc), 'test.cdx.json'));

describe('reading an SBOM', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'osl-sbom-'));
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads the components, formulation steps and composition the SBOM writer produces', () => {
    const sbom = loadSbom(write('ok.json', JSON.stringify(sampleSbom())));
    expect(sbom.subject?.name).toBe('example:latest');
    const jq = sbom.components.find((c) => c.name === 'jq')!;
    expect(jq.licenses).toEqual([{ kind: 'expression', expression: 'MIT AND CC-BY-3.0' }]);
    expect(jq.licenseTexts).toEqual([
      {
        idOrName: 'MIT',
        textId: 'MIT',
        text: 'Permission is hereby granted, free of charge, ...',
        path: '/usr/share/doc/jq/copyright',
      },
    ]);
    expect(sbom.steps.find((s) => s.id === 's1.5')).toMatchObject({
      description: 'Dockerfile:9',
      instruction: expect.stringContaining('RUN curl'),
    });
    expect(sbom.aggregate).toBe('incomplete');
  });

  it('names the file in every error', () => {
    expect(() => loadSbom(path.join(dir, 'missing.json'))).toThrow(/cannot read SBOM .*missing\.json: no such file/);
    expect(() => loadSbom(write('bad.json', '{"bomFormat": "CycloneDX",'))).toThrow(/bad\.json is not JSON/);
    expect(() => loadSbom(write('spdx.json', JSON.stringify({ spdxVersion: 'SPDX-2.3' })))).toThrow(
      /spdx\.json is not a CycloneDX SBOM: bomFormat is null/,
    );
    expect(() => loadSbom(write('array.json', '[]'))).toThrow(/array\.json is not a CycloneDX SBOM/);
    expect(() => loadSbom(write('old.json', JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.4' })))).toThrow(
      /old\.json is CycloneDX 1\.4; scannable reads CycloneDX 1\.6/,
    );
    expect(() =>
      loadSbom(write('shape.json', JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: {} }))),
    ).toThrow(/shape\.json: components must be an array/);
    expect(() =>
      loadSbom(
        write(
          'noname.json',
          JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ type: 'library' }] }),
        ),
      ),
    ).toThrow(/noname\.json: components\[0\]\.name must be a string/);
    expect(() => loadSbom(dir)).toThrow(SbomError);
  });

  it('accepts a minimal document and a BOM mark', () => {
    const sbom = parseSbom('\ufeff' + JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6' }), 'min.json');
    expect(sbom.components).toEqual([]);
    expect(renderText(buildAttribution(sbom))).toContain('No component of the image has a known license.');
  });
});

describe('attribution model', () => {
  it('groups components by license expression, sorted, and lists each license once', () => {
    const a = attribution(sampleSbom());
    expect(a.groups.map((g) => g.expression)).toEqual(['GPL-3.0-or-later', 'MIT', 'MIT AND CC-BY-3.0']);
    expect(a.groups.find((g) => g.expression === 'MIT AND CC-BY-3.0')!.components.map((c) => c.name)).toEqual(['jq']);
    expect(a.licenses.map((l) => l.id)).toEqual(['CC-BY-3.0', 'GPL-3.0-or-later', 'MIT']);
  });

  it("takes a component's own text from the image and the SPDX list's text for the others", () => {
    const mit = attribution(sampleSbom()).licenses.find((l) => l.id === 'MIT')!;
    expect(mit.variants).toHaveLength(2);
    expect(mit.variants[0]).toMatchObject({
      source: { kind: 'spdx' },
      usedBy: ['libjq1 1.6-2.1'],
      text: spdxFull.MIT!.licenseText,
    });
    expect(mit.variants[1]).toMatchObject({
      source: { kind: 'image', path: '/usr/share/doc/jq/copyright' },
      usedBy: ['jq 1.6-2.1'],
      text: 'Permission is hereby granted, free of charge, ...',
    });
  });

  it("prefers Debian's common-licenses copy over the SPDX list, also for -or-later, and never a pointer notice", () => {
    const a = attribution(sbomOf(completeProvenance()));
    const gpl2 = a.licenses.find((l) => l.id === 'GPL-2.0-or-later')!;
    expect(gpl2.variants).toHaveLength(1);
    expect(gpl2.variants[0]!.source).toEqual({
      kind: 'image',
      path: '/usr/share/common-licenses/GPL-2',
      component: 'base-files 12.4+deb12u10',
    });
    expect(gpl2.variants[0]!.usedBy).toEqual(['base-files 12.4+deb12u10', 'sed 4.9-1']);
    expect(gpl2.variants[0]!.text).toContain('Version 2, June 1991');
  });

  it('keeps a LICENSE file that differs from the canonical text as its own variant', () => {
    const mit = attribution(sbomOf(completeProvenance())).licenses.find((l) => l.id === 'MIT')!;
    // The shared (SPDX) text first, then the image's copies by path.
    expect(mit.variants.map((v) => v.usedBy)).toEqual([['libjq1 1.6-2.1'], ['left-pad 1.3.0'], ['jq 1.6-2.1']]);
    expect(mit.variants[1]!.source).toEqual({
      kind: 'image',
      path: '/usr/local/lib/node_modules/left-pad/LICENSE',
      component: 'left-pad 1.3.0',
    });
  });

  it('says which texts are missing and for whom, rather than inventing one', () => {
    const a = attribution(sbomOf(completeProvenance()));
    const exc = a.licenses.find((l) => l.id === 'GCC-exception-3.1')!;
    expect(exc).toMatchObject({ kind: 'exception', variants: [], missingFor: ['libgcc-s1 12.2.0-14'] });
    expect(exc.missing).toMatch(/no text for the exception GCC-exception-3.1/);
    const ref = a.licenses.find((l) => l.id === 'LicenseRef-pcre2-exception')!;
    expect(ref).toMatchObject({ kind: 'ref', variants: [], missingFor: ['libpcre2-8-0 10.42-1'] });
    expect(ref.missing).toMatch(/not on the SPDX License List/);
    const pcre = a.licenses.find((l) => l.id === 'LicenseRef-BSD-3-clause-PCRE2')!;
    expect(pcre.variants.map((v) => v.source)).toEqual([
      { kind: 'image', path: '/usr/share/doc/libpcre2-8-0/copyright', component: 'libpcre2-8-0 10.42-1' },
    ]);
    // The license itself (GPL-3.0-or-later) still gets its text.
    expect(a.licenses.find((l) => l.id === 'GPL-3.0-or-later')!.variants[0]!.source.kind).toBe('spdx');
  });

  it('lists unattributed files by step with the Dockerfile line and instruction', () => {
    const a = attribution(sbomOf(unknownsProvenance()));
    expect(a.notAttributed.steps).toEqual([
      {
        step: 's1.10',
        location: 'Dockerfile:17',
        instruction: 'RUN ./install.sh --prefix=/opt/x',
        stage: 'stage 1',
        files: ['/opt/x/bin/x', '/opt/x/share/x.dat'],
      },
      {
        step: 's1.5',
        location: 'Dockerfile:9',
        instruction: expect.stringContaining('RUN curl -fsSLo /usr/local/bin/tool'),
        stage: 'stage 1',
        files: ['/usr/local/bin/tool'],
      },
    ]);
    expect(a.counts.unattributedFiles).toBe(3);
  });

  it('lists components of unknown license with the reason', () => {
    const a = attribution(sbomOf(unknownsProvenance()));
    const byName = Object.fromEntries(a.notAttributed.unknownLicense.map((u) => [u.name, u]));
    expect(byName['mystery']).toMatchObject({
      kind: 'package',
      reason: expect.stringContaining('free-form and references no /usr/share/common-licenses file'),
    });
    expect(byName['hello.sh (build context)']!.reason).toMatch(/build context/);
    expect(byName['https://example.org/dist/tool-1.0.tar.gz']!.reason).toMatch(/downloaded during the build/);
    expect(byName['EOF (inline in the Dockerfile)']!.reason).toMatch(/written from the Dockerfile/);
    expect(Object.keys(byName).some((n) => n.startsWith('built by make'))).toBe(true);
    expect(a.groups.flatMap((g) => g.components).some((c) => c.name === 'mystery')).toBe(false);
  });

  it('has nothing to report when every file is attributed', () => {
    const a = attribution(sbomOf(completeProvenance()));
    expect(a.notAttributed).toEqual({ steps: [], unknownLicense: [] });
    expect(renderText(a)).toContain('Every file and component of the image is attributed.');
  });

  it('combines several license entries with AND', () => {
    expect(
      expressionOf([
        { kind: 'id', id: 'MIT' },
        { kind: 'expression', expression: 'Apache-2.0 OR BSD-2-Clause' },
      ]),
    ).toBe('MIT AND (Apache-2.0 OR BSD-2-Clause)');
    expect(expressionOf([{ kind: 'name', name: 'NOASSERTION' }])).toBeUndefined();
    const doc = sampleSbom();
    const libjq = doc.components.find((c: Json) => c.name === 'libjq1');
    libjq.licenses = [{ license: { name: 'Some Custom License' } }];
    const a = attribution(doc);
    const custom = a.licenses.find((l) => l.id === 'Some Custom License')!;
    expect(custom).toMatchObject({ kind: 'name', variants: [], missingFor: ['libjq1 1.6-2.1'] });
  });
});

describe('renderers', () => {
  const hostile = sbomOf(completeProvenance());

  it('are deterministic: the same SBOM gives byte-identical output', () => {
    for (const render of [renderText, renderMarkdown, renderHtml]) {
      const once = render(attribution(hostile));
      const again = render(attribution(JSON.parse(JSON.stringify(hostile))));
      expect(again).toBe(once);
    }
  });

  it('do not depend on the order of components in the SBOM', () => {
    const shuffled = JSON.parse(JSON.stringify(hostile));
    shuffled.components.reverse();
    for (const render of [renderText, renderMarkdown, renderHtml])
      expect(render(attribution(shuffled))).toBe(render(attribution(hostile)));
  });

  it('HTML escapes every SBOM string and loads nothing from elsewhere', () => {
    const html = renderHtml(attribution(hostile));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Copyright (c) 2018 &lt;azer&gt; &amp; &quot;friends&quot;');
    expect(html).toContain('Permission is hereby granted &lt;b&gt;free&lt;/b&gt;');
    expect(html).not.toMatch(/<(script|link|img|iframe)\b|src=|url\(|@import/i);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    // Every fragment link has its target.
    for (const m of html.matchAll(/href="#([^"]+)"/g)) expect(html).toContain(`id="${m[1]}"`);
    expect(htmlEscape(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('Markdown escapes markup in SBOM strings and fences texts safely', () => {
    const md = renderMarkdown(attribution(hostile));
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).not.toContain('<script>');
    expect(mdEscape('a*b_[c](d)<e>')).toBe('a\\*b\\_\\[c\\](d)&lt;e&gt;');
    for (const m of md.matchAll(/\]\(#([^)]+)\)/g)) expect(md).toContain(`<a id="${m[1]}"></a>`);
    // A text containing a fence cannot close the block it is printed in.
    const doc = sampleSbom();
    doc.components.find((c: Json) => c.name === 'jq').evidence.licenses[0].license.text.content =
      'before\n```\n# not a heading\n````\nafter';
    const out = renderMarkdown(attribution(doc));
    expect(out).toContain('`````text\nbefore\n```\n# not a heading\n````\nafter\n`````');
  });

  it('text output names the sections and the missing texts', () => {
    const txt = renderText(attribution(hostile));
    expect(txt).toMatch(/^OPEN SOURCE LICENSES\n====/);
    expect(txt).toContain('1. Components by license');
    expect(txt).toContain('=== exception GCC-exception-3.1 ===');
    expect(txt).toContain('No text available: the image carries no text for the exception GCC-exception-3.1');
  });
});
