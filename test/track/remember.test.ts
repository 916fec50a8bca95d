/**
 * What catalogers derive from one file is remembered with the layer holding it
 * (`SnapshotFs.remember`): a build catalogs a stage's base image while a RUN
 * runs, and the final image's catalog reuses it. Reuse must never change a
 * result.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LayerDirView } from '../../src/snapshot/layer-dir.js';
import { LayeredFs } from '../../src/snapshot/layered-fs.js';
import { catalog } from '../../src/track/catalogers/index.js';
import { mapOwnership } from '../../src/track/ownership.js';
import { warmCatalog } from '../../src/track/tracker.js';

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'scannable-remember-'));
  tmp.push(d);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, p)), { recursive: true });
    writeFileSync(path.join(d, p), text);
  }
  return d;
}

const para = (name: string, version: string) =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\nMaintainer: Someone <a@example.org>\n`;
const dep5 = (license: string) =>
  `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2020 Someone\nLicense: ${license}\n`;

/** A Debian-like base (two packages, a common license text) and a step that installs a third and changes one copyright. */
function layers(): { base: LayerDirView; step: LayerDirView } {
  const base = dir({
    'var/lib/dpkg/status': para('base-files', '12.4') + '\n' + para('tool', '1.0'),
    'var/lib/dpkg/info/base-files.list': '/.\n/usr/share/common-licenses/GPL-2\n/usr/share/doc/base-files/copyright\n',
    'var/lib/dpkg/info/base-files.md5sums': '0123456789abcdef0123456789abcdef  usr/share/common-licenses/GPL-2\n',
    'var/lib/dpkg/info/tool.list': '/usr/bin/tool\n/usr/share/doc/tool/copyright\n',
    'usr/share/common-licenses/GPL-2': 'GPL-2 license text\n',
    'usr/share/doc/base-files/copyright': dep5('MIT'),
    'usr/share/doc/tool/copyright': dep5('GPL-2+'),
    'usr/bin/tool': 'tool\n',
  });
  const step = dir({
    'var/lib/dpkg/status': para('base-files', '12.4') + '\n' + para('tool', '1.0') + '\n' + para('added', '2.0'),
    'var/lib/dpkg/info/added.list': '/usr/bin/added\n/usr/share/doc/added/copyright\n',
    'usr/share/doc/added/copyright': dep5('Apache-2.0'),
    'usr/share/doc/tool/copyright': dep5('BSD-3-clause'),
    'usr/bin/added': 'added\n',
  });
  return { base: LayerDirView.read(base), step: LayerDirView.read(step) };
}

describe('remembered catalog results', () => {
  it('computes once per layer file and kind, shared by views of the same layer', () => {
    const { base } = layers();
    let calls = 0;
    const count = () => ++calls;
    expect(base.remember('/usr/bin/tool', 'k', count)).toBe(1);
    expect(base.remember('/usr/bin/tool', 'k', count)).toBe(1);
    expect(base.withOpaqueDirs([]).remember('/usr/bin/tool', 'k', count)).toBe(1);
    expect(base.remember('/usr/bin/tool', 'other', count)).toBe(2);
    // Not a regular file: nothing to keep.
    expect(base.remember('/usr/bin', 'k', count)).toBe(3);
    expect(base.remember('/usr/bin', 'k', count)).toBe(4);
  });

  it('keeps a value with the layer that provides the file in a stack', () => {
    const { base, step } = layers();
    const seen: string[] = [];
    const read = (fs: LayeredFs, p: string) => fs.remember(p, 'text', () => (seen.push(p), fs.readFile(p)!.toString()));
    expect(read(new LayeredFs([base]), '/usr/share/doc/tool/copyright')).toContain('GPL-2+');
    expect(read(new LayeredFs([base]), '/usr/bin/tool')).toBe('tool\n');
    const both = new LayeredFs([base, step]);
    // Unchanged by the step: the base layer's value. Replaced by it: computed from the step's file.
    expect(read(both, '/usr/bin/tool')).toBe('tool\n');
    expect(read(both, '/usr/share/doc/tool/copyright')).toContain('BSD-3-clause');
    expect(seen).toEqual(['/usr/share/doc/tool/copyright', '/usr/bin/tool', '/usr/share/doc/tool/copyright']);
  });

  it('gives the final catalog the same packages, licenses and owners with and without a warmed base', () => {
    const fresh = layers();
    const cold = new LayeredFs([fresh.base, fresh.step]);
    const coldCatalog = catalog(cold);
    const coldOwners = [...mapOwnership(cold, coldCatalog.packages).owners].map(([p, o]) => [p, o.kind]);

    const warmed = layers();
    // Warmed twice: a value handed out must not carry what the first catalog did to its packages.
    warmCatalog(new LayeredFs([warmed.base]));
    warmCatalog(new LayeredFs([warmed.base]));
    const hot = new LayeredFs([warmed.base, warmed.step]);
    const hotCatalog = catalog(hot);
    warmCatalog(hot);
    const again = catalog(hot);
    expect(hotCatalog).toEqual(coldCatalog);
    expect(again).toEqual(coldCatalog);
    expect([...mapOwnership(hot, hotCatalog.packages).owners].map(([p, o]) => [p, o.kind])).toEqual(coldOwners);
    const byName = new Map(hotCatalog.packages.map((p) => [p.name, p]));
    expect(byName.get('tool')?.licenseExpression).toBe('BSD-3-Clause');
    expect(byName.get('added')?.licenseExpression).toBe('Apache-2.0');
    expect(byName.get('base-files')?.files).toContain('/usr/share/common-licenses/GPL-2');
  });
});
