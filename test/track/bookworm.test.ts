/**
 * Catalogers and file ownership on a real image: debian:bookworm (made with
 * debootstrap by scripts/engine.sh) plus `apt-get install -y jq curl`,
 * exported from the local Docker engine. DESIGN.md's target: 99%+ of regular
 * files and symlinks get an owner or a "generated" tag.
 */
import { beforeAll, expect, it } from 'vitest';
import { catalog, type CatalogResult } from '../../src/track/catalogers/index.js';
import { DirFs } from '../../src/snapshot/dir-fs.js';
import { isValidSpdx } from '../../src/track/licenses/spdx.js';
import { mapOwnership, type OwnershipReport } from '../../src/track/ownership.js';
import { normalizePath } from '../../src/snapshot/paths.js';
import { bookwormJqCurl, describeEngine } from './helpers/engine.js';

describeEngine('debian:bookworm + jq + curl', () => {
  let fs: DirFs;
  let cat: CatalogResult;
  let own: OwnershipReport;
  beforeAll(() => {
    const root = bookwormJqCurl();
    fs = new DirFs(root);
    const t0 = performance.now();
    cat = catalog(fs);
    const t1 = performance.now();
    own = mapOwnership(fs, cat.packages);
    const t2 = performance.now();
    const { considered, owned, generated, unowned } = own.counts;
    console.log(
      `[bookworm+jq+curl] ${cat.packages.length} packages; catalog ${(t1 - t0).toFixed(0)} ms (incl. walking ` +
        `${[...fs.entries()].length} entries), ownership ${(t2 - t1).toFixed(0)} ms; ${considered} files+symlinks: ` +
        `${owned} owned, ${generated} generated, ${unowned} unattributed ` +
        `(${((100 * (owned + generated)) / considered).toFixed(2)}% covered)` +
        (unowned ? `\n  unattributed: ${own.unowned.join(' ')}` : ''),
    );
  });

  it('finds the packages with purls, sources and valid licenses', () => {
    const names = new Set(cat.packages.map((p) => p.name));
    for (const n of ['jq', 'curl', 'libcurl4', 'libc6', 'base-files', 'ca-certificates'])
      expect(names.has(n), n).toBe(true);
    const curl = cat.packages.find((p) => p.name === 'curl')!;
    expect(curl.purl).toMatch(/^pkg:deb\/debian\/curl@7\.88\.1-10%2Bdeb12u\d+\?arch=amd64&distro=debian-12$/);
    expect(curl.source?.name).toBe('curl');
    expect(curl.dependencies).toContain('libcurl4');
    for (const p of cat.packages) {
      expect(p.ecosystem).toBe('deb');
      if (p.licenseExpression) expect(isValidSpdx(p.licenseExpression), p.name).toBe(true);
    }
    expect(cat.problems.filter((p) => !p.reason.startsWith('copyright:'))).toEqual([]);
  });

  it('covers at least 99% of files and symlinks with an owner or a generated tag', () => {
    const { considered, owned, generated } = own.counts;
    expect(considered).toBeGreaterThan(5000);
    expect((owned + generated) / considered).toBeGreaterThanOrEqual(0.99);
  });

  it('matches dpkg lists to merged-/usr paths', () => {
    const libc = own.owners.get('/usr/lib/x86_64-linux-gnu/libc.so.6');
    expect(libc?.kind === 'package' && libc.pkg.name).toBe('libc6');
    const libcPkg = cat.packages.find((p) => p.name === 'libc6')!;
    expect(libcPkg.files).toContain('/lib/x86_64-linux-gnu/libc.so.6');
    const bash = own.owners.get('/usr/bin/bash');
    expect(bash?.kind === 'package' && bash.pkg.name).toBe('bash');
    // The diverting package keeps its own path (dash diverts /bin/sh).
    const sh = own.owners.get('/usr/bin/sh');
    expect(sh?.kind === 'package' && sh.pkg.name).toBe('dash');
    for (const link of ['/bin', '/lib', '/sbin', '/lib64']) {
      expect(own.owners.get(link)).toMatchObject({ kind: 'generated', by: 'merged /usr (usrmerge or debootstrap)' });
    }
    // Naive matching (listed paths as written) would leave far more unowned, as DESIGN.md measured.
    const listed = new Set(cat.packages.flatMap((p) => p.files.map(normalizePath)));
    const naive = [...fs.entries()].filter(
      (e) => (e.kind === 'file' || e.kind === 'symlink') && !listed.has(e.path),
    ).length;
    console.log(`[bookworm+jq+curl] naive matching leaves ${naive} of ${own.counts.considered} unowned`);
    expect(naive).toBeGreaterThan(own.counts.unowned + 500);
  });

  it('attributes alternatives links and package-manager state to the tools that made them', () => {
    expect(own.owners.get('/usr/bin/awk')).toMatchObject({ kind: 'generated', by: 'update-alternatives' });
    expect(own.owners.get('/etc/alternatives/awk')).toMatchObject({ kind: 'generated', by: 'update-alternatives' });
    expect(own.owners.get('/var/lib/dpkg/status')).toMatchObject({ kind: 'generated', by: 'dpkg' });
    expect(own.owners.get('/etc/ld.so.cache')).toMatchObject({ kind: 'generated', by: 'ldconfig' });
    expect(own.owners.get('/etc/profile')).toMatchObject({ kind: 'generated', by: 'base-files (maintainer script)' });
    const certs = own.generated.filter((g) => g.by === 'update-ca-certificates');
    expect(certs.length).toBeGreaterThan(100);
  });

  it('reports listed files that the image does not have', () => {
    // Nothing was removed from this image: every listed path exists once resolved.
    expect(own.missing).toEqual([]);
  });
});
