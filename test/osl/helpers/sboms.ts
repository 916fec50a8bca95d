/**
 * SBOMs for the OSL and sources tests, written by the real SBOM writer from
 * the sample provenance and variations of it, so that these tests break when
 * the SBOM changes shape.
 */
import { provenanceToCycloneDX } from '../../../src/sbom/cyclonedx.js';
import { newPackage, type Package } from '../../../src/track/package.js';
import { computeCoverage, type FileRecord, type Provenance } from '../../../src/track/provenance.js';
import { sampleProvenance, step } from '../../helpers/provenance.js';

export type Json = Record<string, any>;

export function sbomOf(prov: Provenance): Json {
  return provenanceToCycloneDX(prov) as Json;
}

/** The sample: jq from apt, a context file, a release unpacked in a build stage, one unattributed download. */
export function sampleSbom(): Json {
  return sbomOf(sampleProvenance());
}

const GPL2_TEXT = 'GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n(the text as base-files ships it)\n';
const APACHE_TEXT = 'Apache License\nVersion 2.0, January 2004\n(the text as base-files ships it)\n';

function addPackage(prov: Provenance, pkg: Package, opts: { step?: ReturnType<typeof step>; base?: boolean }): void {
  const path = pkg.files[0] ?? `/usr/share/doc/${pkg.name}/copyright`;
  prov.packages.push({
    package: pkg,
    stage: 1,
    files: [path],
    ...(opts.step ? { step: opts.step } : {}),
    ...(opts.base ? { baseImage: 'debian:bookworm' } : {}),
  });
  const origin: FileRecord['origin'] = opts.step
    ? { kind: 'package', package: pkg.purl, step: opts.step }
    : { kind: 'base', image: 'debian:bookworm', imageId: 'sha256:' + '1'.repeat(64), package: pkg.purl };
  prov.files.push({ path, kind: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, sha256: 'e'.repeat(64), origin });
}

/**
 * Everything attributed, with texts from the image: base-files ships
 * common-licenses (GPL-2, Apache-2.0), a GPL-2+ package whose copyright file
 * only points at common-licenses, an npm package with its own MIT text, an
 * exception, LicenseRefs with and without a text, and strings that must be
 * escaped in HTML and Markdown.
 */
export function completeProvenance(): Provenance {
  const prov = sampleProvenance();
  const run = prov.steps[1]!.step;
  const npmStep = step('s1.6', 10, 'RUN npm install -g left-pad@1.3.0');
  // Drop the unattributed download and the context files: this image is fully attributed.
  prov.files = prov.files.filter(
    (f) => f.origin.kind !== 'unattributed' && f.origin.kind !== 'context' && f.origin.kind !== 'stage',
  );
  prov.steps = prov.steps.filter((s) => s.step.id !== 's1.5');
  addPackage(
    prov,
    newPackage({
      ecosystem: 'deb',
      name: 'base-files',
      version: '12.4+deb12u10',
      purl: 'pkg:deb/debian/base-files@12.4%2Bdeb12u10?arch=amd64&distro=debian-12',
      metadataPath: '/var/lib/dpkg/status',
      licenseExpression: 'GPL-2.0-or-later',
      licenseTexts: [
        {
          id: 'GPL-2.0-only',
          name: 'common-licenses/GPL-2',
          text: GPL2_TEXT,
          path: '/usr/share/common-licenses/GPL-2',
        },
        {
          id: 'Apache-2.0',
          name: 'common-licenses/Apache-2.0',
          text: APACHE_TEXT,
          path: '/usr/share/common-licenses/Apache-2.0',
        },
      ],
      copyrights: ['Copyright (C) 1995-2011 Santiago Vila <sanvila@debian.org>'],
      supplier: 'Santiago Vila <sanvila@debian.org>',
      source: { name: 'base-files', version: '12.4+deb12u10' },
      files: ['/etc/debian_version'],
    }),
    { base: true },
  );
  addPackage(
    prov,
    newPackage({
      ecosystem: 'deb',
      name: 'libgcc-s1',
      version: '12.2.0-14',
      purl: 'pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&distro=debian-12',
      metadataPath: '/var/lib/dpkg/status',
      licenseExpression: 'GPL-3.0-or-later WITH GCC-exception-3.1',
      copyrights: ['Copyright (C) 1986-2022 Free Software Foundation, Inc.'],
      source: { name: 'gcc-12', version: '12.2.0-14' },
      files: ['/usr/lib/x86_64-linux-gnu/libgcc_s.so.1'],
    }),
    { base: true },
  );
  addPackage(
    prov,
    newPackage({
      ecosystem: 'deb',
      name: 'sed',
      version: '4.9-1',
      purl: 'pkg:deb/debian/sed@4.9-1?arch=amd64&distro=debian-12',
      metadataPath: '/var/lib/dpkg/status',
      licenseExpression: 'GPL-2.0-or-later',
      licenseTexts: [
        {
          id: 'GPL-2.0-or-later',
          name: 'GPL-2+',
          text: 'This program is free software...\nOn Debian systems, the complete text of the GNU General Public License\nversion 2 can be found in /usr/share/common-licenses/GPL-2.',
          path: '/usr/share/doc/sed/copyright',
        },
      ],
      copyrights: ['1989-2022 Free Software Foundation, Inc.'],
      files: ['/usr/bin/sed'],
    }),
    { base: true },
  );
  addPackage(
    prov,
    newPackage({
      ecosystem: 'deb',
      name: 'libpcre2-8-0',
      version: '10.42-1',
      purl: 'pkg:deb/debian/libpcre2-8-0@10.42-1?arch=amd64&distro=debian-12',
      metadataPath: '/var/lib/dpkg/status',
      licenseExpression: 'LicenseRef-BSD-3-clause-PCRE2 AND LicenseRef-pcre2-exception',
      licenseTexts: [
        {
          id: 'LicenseRef-BSD-3-clause-PCRE2',
          name: 'BSD-3-clause-PCRE2',
          text: 'Redistribution and use in source and binary forms ... (PCRE2 variant)',
          path: '/usr/share/doc/libpcre2-8-0/copyright',
        },
      ],
      copyrights: ['1997-2022 University of Cambridge'],
      source: { name: 'pcre2', version: '10.42-1' },
      files: ['/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0'],
    }),
    { base: true },
  );
  addPackage(
    prov,
    newPackage({
      ecosystem: 'npm',
      name: 'left-pad',
      version: '1.3.0',
      purl: 'pkg:npm/left-pad@1.3.0',
      metadataPath: '/usr/local/lib/node_modules/left-pad/package.json',
      licenseExpression: 'MIT',
      licenseTexts: [
        {
          id: 'MIT',
          name: 'LICENSE',
          text: 'Copyright (c) 2018 <azer> & "friends"\n\nPermission is hereby granted <b>free</b> ...',
          path: '/usr/local/lib/node_modules/left-pad/LICENSE',
        },
      ],
      copyrights: ['Copyright (c) 2018 Azer Koçulu <azer@roadbeats.com> & <script>alert(1)</script>'],
      homepage: 'https://github.com/stevemao/left-pad#readme',
      vcs: 'git+https://github.com/stevemao/left-pad.git',
      files: ['/usr/local/lib/node_modules/left-pad/index.js'],
    }),
    { step: npmStep },
  );
  prov.steps.push({
    step: npmStep,
    op: 'exec',
    cached: false,
    durationMs: 5,
    changes: { added: 3, modified: 0, deleted: 0 },
    predicted: 'scannable',
    observed: { files: 1, unattributed: 0 },
    snapshot: 'sha256:' + '7'.repeat(64),
  });
  void run;
  prov.coverage = computeCoverage(prov.files);
  return prov;
}

/** Unknowns: a package whose license could not be determined, a download, an inline file and a built binary. */
export function unknownsProvenance(): Provenance {
  const prov = sampleProvenance();
  const s = (id: string, line: number, text: string) => step(id, line, text);
  const dl = s(
    's1.7',
    12,
    'ADD --checksum=sha256:' + 'f'.repeat(64) + ' https://example.org/dist/tool-1.0.tar.gz /opt/',
  );
  const inline = s('s1.8', 13, 'COPY <<EOF /etc/motd\nwelcome\nEOF');
  const build = s('s1.9', 16, 'RUN make -C /src && make -C /src install');
  const twice = s('s1.10', 17, 'RUN ./install.sh --prefix=/opt/x');
  const mystery = newPackage({
    ecosystem: 'deb',
    name: 'mystery',
    version: '0.1-1',
    purl: 'pkg:deb/debian/mystery@0.1-1?arch=amd64&distro=debian-12',
    metadataPath: '/var/lib/dpkg/status',
    licenseUnknownReason:
      '/usr/share/doc/mystery/copyright is free-form and references no /usr/share/common-licenses file',
    files: ['/usr/bin/mystery'],
  });
  prov.packages.push({ package: mystery, stage: 1, step: prov.steps[1]!.step, files: ['/usr/bin/mystery'] });
  const f = (path: string, origin: FileRecord['origin']): FileRecord => ({
    path,
    kind: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 3,
    sha256: '0'.repeat(64),
    origin,
  });
  prov.files.push(
    f('/usr/bin/mystery', { kind: 'package', package: mystery.purl, step: prov.steps[1]!.step }),
    f('/opt/tool-1.0.tar.gz', {
      kind: 'remote',
      url: 'https://example.org/dist/tool-1.0.tar.gz',
      sha256: 'f'.repeat(64),
      verified: true,
      step: dl,
    }),
    f('/etc/motd', { kind: 'inline', name: 'EOF', step: inline }),
    f('/usr/local/bin/x', {
      kind: 'built',
      tool: 'make',
      sources: [
        {
          kind: 'remote',
          url: 'https://example.org/dist/tool-1.0.tar.gz',
          sha256: 'f'.repeat(64),
          verified: true,
          step: dl,
        },
      ],
      step: build,
    }),
    f('/opt/x/bin/x', { kind: 'unattributed', step: twice }),
    f('/opt/x/share/x.dat', { kind: 'unattributed', step: twice }),
  );
  for (const st of [dl, inline, build, twice]) {
    prov.steps.push({
      step: st,
      op: st === dl ? 'fetch' : 'exec',
      cached: false,
      durationMs: 1,
      changes: { added: 1, modified: 0, deleted: 0 },
      predicted: 'partial',
      observed: { files: 1, unattributed: st === twice ? 2 : 0 },
      snapshot: 'sha256:' + '8'.repeat(64),
    });
  }
  prov.coverage = computeCoverage(prov.files);
  return prov;
}

/** One package of each language ecosystem, an apk package, a pinned git download and a Debian package with an epoch. */
export function languagesProvenance(): Provenance {
  const prov = sampleProvenance();
  const s = step('s1.6', 10, 'RUN pip install requests==2.31.0 && gem install rake && go install ...');
  const pkg = (init: Parameters<typeof newPackage>[0]): void => {
    const p = newPackage({ licenseExpression: 'MIT', ...init });
    prov.packages.push({ package: p, stage: 1, step: s, files: [`/x/${p.name}`] });
    prov.files.push({
      path: `/x/${p.name}`,
      kind: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: 1,
      sha256: '0'.repeat(64),
      origin: { kind: 'package', package: p.purl, step: s },
    });
  };
  pkg({
    ecosystem: 'python',
    name: 'requests',
    version: '2.31.0',
    purl: 'pkg:pypi/requests@2.31.0',
    metadataPath: '/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA',
    vcs: 'https://github.com/psf/requests',
  });
  pkg({
    ecosystem: 'gem',
    name: 'nokogiri',
    version: '1.15.4',
    purl: 'pkg:gem/nokogiri@1.15.4?platform=x86_64-linux',
    metadataPath: '/var/lib/gems/specifications/nokogiri.gemspec',
  });
  pkg({
    ecosystem: 'gem',
    name: 'rake',
    version: '13.0.6',
    purl: 'pkg:gem/rake@13.0.6',
    metadataPath: '/var/lib/gems/specifications/rake.gemspec',
  });
  pkg({
    ecosystem: 'golang',
    name: 'github.com/BurntSushi/toml',
    version: 'v1.3.2',
    purl: 'pkg:golang/github.com/BurntSushi/toml@v1.3.2',
    metadataPath: '/usr/local/bin/tool',
  });
  pkg({
    ecosystem: 'golang',
    name: 'example.com/tool',
    version: '(devel)',
    purl: 'pkg:golang/example.com/tool@(devel)',
    metadataPath: '/usr/local/bin/tool',
  });
  pkg({
    ecosystem: 'npm',
    name: '@types/node',
    version: '20.0.0',
    purl: 'pkg:npm/%40types/node@20.0.0',
    metadataPath: '/usr/lib/node_modules/@types/node/package.json',
  });
  pkg({
    ecosystem: 'apk',
    name: 'musl',
    version: '1.2.4-r2',
    purl: 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64',
    metadataPath: '/lib/apk/db/installed',
    source: { name: 'musl' },
  });
  pkg({
    ecosystem: 'deb',
    name: 'libc6',
    version: '2.36-9+deb12u4',
    purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
    metadataPath: '/var/lib/dpkg/status',
    source: { name: 'glibc', version: '2.36-9+deb12u4' },
  });
  pkg({
    ecosystem: 'deb',
    name: 'libc-bin',
    version: '2.36-9+deb12u4',
    purl: 'pkg:deb/debian/libc-bin@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
    metadataPath: '/var/lib/dpkg/status',
    source: { name: 'glibc', version: '2.36-9+deb12u4' },
  });
  pkg({
    ecosystem: 'deb',
    name: 'perl-base',
    version: '5.36.0-7+deb12u1',
    purl: 'pkg:deb/debian/perl-base@5.36.0-7%2Bdeb12u1?arch=amd64&distro=debian-12',
    metadataPath: '/var/lib/dpkg/status',
    source: { name: 'perl', version: '5.36.0-7+deb12u1' },
  });
  pkg({
    ecosystem: 'deb',
    name: 'ubuntu-thing',
    version: '1.0',
    purl: 'pkg:deb/ubuntu/ubuntu-thing@1.0?arch=amd64&distro=ubuntu-22.04',
    metadataPath: '/var/lib/dpkg/status',
  });
  pkg({
    ecosystem: 'deb',
    name: 'libcap2',
    version: '1:2.66-4',
    purl: 'pkg:deb/debian/libcap2@1%3A2.66-4?arch=amd64&distro=debian-12',
    metadataPath: '/var/lib/dpkg/status',
    source: { name: 'libcap2', version: '1:2.66-4' },
  });
  const git = step(
    's1.7',
    11,
    'ADD https://github.com/stedolan/jq.git#a9f97e9e61a910a374a5d768244e8ad63f407d3e /src/jq',
  );
  const commit = 'a9f97e9e61a910a374a5d768244e8ad63f407d3e';
  prov.files.push({
    path: '/src/jq/README.md',
    kind: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 1,
    sha256: '1'.repeat(64),
    origin: { kind: 'remote', url: `https://github.com/stedolan/jq.git#${commit}`, verified: true, step: git },
  });
  prov.coverage = computeCoverage(prov.files);
  return prov;
}
