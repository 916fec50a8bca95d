/**
 * A made-up provenance shaped like a real build's: Debian packages with
 * licenses, copyrights and files, every kind of file origin, steps in two
 * stages. A build renders and validates it once while a long RUN leaves both
 * threads idle, so that V8 has the SBOM writer and the validator's generated
 * code compiled and optimised when the real document comes (jq-curl's 2 MB
 * document: 131 ms to validate on cold code, 34 ms after this).
 */
import { newPackage, type Package } from '../track/package.js';
import {
  computeCoverage,
  type FileRecord,
  type Origin,
  type PackageRecord,
  type Provenance,
  type StepRef,
  type StepRecord,
} from '../track/provenance.js';

const LICENSES = [
  'MIT',
  'GPL-2.0-or-later',
  'Apache-2.0 AND BSD-3-Clause',
  'LGPL-2.1-or-later OR MPL-2.0',
  'LicenseRef-debian-copyright-warm',
];
const sha = (n: number): string => n.toString(16).padStart(64, '0');

export function warmupProvenance(packageCount = 60): Provenance {
  const base = { kind: 'image' as const, ref: 'debian:bookworm', imageId: 'sha256:' + sha(1) };
  const step = (id: string, stage: number, line: number, instruction: string): StepRef => ({
    id,
    stage,
    line,
    endLine: line,
    instruction,
  });
  const untar = step('s0.1', 0, 2, 'RUN tar -xzf /tmp/tool.tgz -C /opt');
  const install = step('s1.1', 1, 5, 'RUN apt-get update && apt-get install -y --no-install-recommends curl jq');
  const copy = step('s1.2', 1, 6, 'COPY hello.sh /usr/local/bin/hello');
  const fromStage = step('s1.3', 1, 7, 'COPY --from=tools /opt/tool /opt/tool');
  const download = step('s1.4', 1, 8, 'RUN curl -fsSLo /usr/local/bin/fetched https://example.org/fetched');

  const packages: PackageRecord[] = [];
  const files: FileRecord[] = [];
  const file = (path: string, origin: Origin, n: number): FileRecord => ({
    path,
    kind: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 100 + n,
    sha256: sha(n),
    origin,
  });
  for (let i = 0; i < packageCount; i++) {
    const name = `warm-package-${i}`;
    const version = `1.${i}-1`;
    const installed = i % 3 === 0;
    const pkg: Package = newPackage({
      ecosystem: 'deb',
      name,
      version,
      arch: 'amd64',
      purl: `pkg:deb/debian/${name}@${version}?arch=amd64&distro=debian-12`,
      metadataPath: '/var/lib/dpkg/status',
      licenseExpression: LICENSES[i % LICENSES.length]!,
      copyrights: [`2000-2024 Author ${i} <author${i}@example.org>`],
      licenseTexts: [
        {
          id: 'MIT',
          name: 'MIT',
          text: 'Permission is hereby granted, free of charge, to any person obtaining a copy',
          path: `/usr/share/doc/${name}/copyright`,
        },
      ],
      supplier: 'Debian Maintainers <maintainers@example.org>',
      homepage: `https://example.org/${name}`,
      source: { name: `warm-source-${i >> 1}`, version },
      dependencies: i > 0 ? [`warm-package-${i - 1}`] : [],
      evidencePaths: ['/var/lib/dpkg/info/' + name + '.list', `/usr/share/doc/${name}/copyright`],
      properties: { section: 'utils', priority: 'optional', 'installed-size': String(100 + i) },
    });
    const paths = [
      `/usr/bin/${name}`,
      `/usr/lib/x86_64-linux-gnu/lib${name}.so.1`,
      `/usr/share/doc/${name}/copyright`,
      `/usr/share/man/man1/${name}.1.gz`,
    ];
    pkg.files = paths;
    packages.push({
      package: pkg,
      stage: 1,
      files: paths,
      ...(installed ? { step: install } : { baseImage: base.ref }),
    });
    paths.forEach((p, k) =>
      files.push(
        file(
          p,
          installed
            ? { kind: 'package', package: pkg.purl, step: install }
            : { kind: 'base', image: base.ref, imageId: base.imageId, package: pkg.purl },
          i * 4 + k,
        ),
      ),
    );
  }
  files.push(
    file('/usr/local/bin/hello', { kind: 'context', path: 'hello.sh', sha256: sha(9001), step: copy }, 9001),
    file(
      '/opt/tool/bin/tool',
      {
        kind: 'stage',
        stage: 0,
        stageName: 'tools',
        path: '/opt/tool/bin/tool',
        step: fromStage,
        origin: { kind: 'context', path: 'tool.tgz', sha256: sha(9002), member: 'bin/tool', step: untar },
      },
      9003,
    ),
    file(
      '/usr/local/bin/fetched',
      { kind: 'unattributed', step: download, note: 'downloaded from https://example.org/fetched, not verified' },
      9004,
    ),
    file('/var/lib/dpkg/status', { kind: 'generated', by: 'dpkg', step: install }, 9005),
    {
      path: '/usr/bin/awk',
      kind: 'symlink',
      mode: 0o777,
      uid: 0,
      gid: 0,
      size: 0,
      linkTarget: '/etc/alternatives/awk',
      origin: { kind: 'base', image: base.ref, imageId: base.imageId },
    },
  );
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const record = (ref: StepRef, op: StepRecord['op'], n: number): StepRecord => ({
    step: ref,
    op,
    cached: false,
    durationMs: 100 * n,
    changes: { added: n, modified: 1, deleted: 0 },
    predicted: 'scannable',
    observed: { files: n, unattributed: 0 },
    snapshot: 'sha256:' + sha(100 + n),
  });
  return {
    tool: { name: 'scannable', version: '0.0.0' },
    created: '2000-01-01T00:00:00.000Z',
    dockerfile: { path: 'Dockerfile', sha256: sha(2) },
    image: {
      id: 'sha256:' + sha(3),
      tags: ['warm:latest'],
      config: { Cmd: ['hello'], Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] },
      os: 'linux',
      architecture: 'amd64',
      layers: ['sha256:' + sha(4)],
    },
    stages: [
      { index: 0, name: 'tools', base, target: false },
      { index: 1, base, target: true },
    ],
    steps: [
      record(untar, 'exec', 1),
      record(install, 'exec', 2),
      record(copy, 'copy', 3),
      { ...record(fromStage, 'copy', 4), fromStage: 0 },
      { ...record(download, 'exec', 5), predicted: 'unscannable' },
    ],
    packages,
    buildPackages: [],
    files,
    coverage: computeCoverage(files),
    problems: [{ path: '/var/lib/dpkg/status', reason: 'warm-up' }],
  };
}
