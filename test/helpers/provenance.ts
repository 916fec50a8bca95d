/** A small, hand-made Provenance for testing the SBOM and OSL writers without an engine. */
import { newPackage } from '../../src/track/package.js';
import { computeCoverage, type FileRecord, type Provenance, type StepRef } from '../../src/track/provenance.js';

export function step(id: string, line: number, instruction: string, stage = 1): StepRef {
  return { id, stage, line, endLine: line, instruction };
}

export function sampleProvenance(): Provenance {
  const run = step('s1.2', 6, 'RUN apt-get install -y jq');
  const copy = step('s1.3', 7, 'COPY hello.sh /usr/local/bin/hello');
  const fromAssets = step('s1.4', 8, 'COPY --from=assets /usr/local/concourse /usr/local/concourse');
  const untar = step('s0.2', 3, 'RUN tar -xzf /tmp/*.tgz -C /usr/local && rm /tmp/*.tgz', 0);
  const curl = step(
    's1.5',
    9,
    'RUN curl -fsSLo /usr/local/bin/tool http://127.0.0.1/tool && chmod +x /usr/local/bin/tool',
  );
  const jq = newPackage({
    ecosystem: 'deb',
    name: 'jq',
    version: '1.6-2.1',
    arch: 'amd64',
    purl: 'pkg:deb/debian/jq@1.6-2.1?arch=amd64&distro=debian-12',
    metadataPath: '/var/lib/dpkg/status',
    licenseExpression: 'MIT AND CC-BY-3.0',
    copyrights: ['2012 Stephen Dolan'],
    licenseTexts: [
      {
        id: 'MIT',
        name: 'MIT',
        text: 'Permission is hereby granted, free of charge, ...',
        path: '/usr/share/doc/jq/copyright',
      },
    ],
    supplier: 'Debian',
    homepage: 'https://github.com/stedolan/jq',
    source: { name: 'jq', version: '1.6-2.1' },
    dependencies: ['libjq1'],
    files: ['/usr/bin/jq'],
  });
  const libjq = newPackage({
    ecosystem: 'deb',
    name: 'libjq1',
    version: '1.6-2.1',
    purl: 'pkg:deb/debian/libjq1@1.6-2.1?arch=amd64&distro=debian-12',
    metadataPath: '/var/lib/dpkg/status',
    licenseExpression: 'MIT',
    files: ['/usr/lib/x86_64-linux-gnu/libjq.so.1'],
  });
  const bash = newPackage({
    ecosystem: 'deb',
    name: 'bash',
    version: '5.2.15-2+b7',
    purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12',
    metadataPath: '/var/lib/dpkg/status',
    licenseExpression: 'GPL-3.0-or-later',
    files: ['/bin/bash'],
  });
  const f = (path: string, origin: FileRecord['origin'], sha = 'a'.repeat(64)): FileRecord => ({
    path,
    kind: 'file',
    mode: 0o755,
    uid: 0,
    gid: 0,
    size: 10,
    sha256: sha,
    origin,
  });
  const ctxSha = 'b'.repeat(64);
  const tgzSha = 'c'.repeat(64);
  const files: FileRecord[] = [
    f('/usr/bin/bash', {
      kind: 'base',
      image: 'debian:bookworm',
      imageId: 'sha256:' + '1'.repeat(64),
      package: bash.purl,
    }),
    f('/usr/bin/jq', { kind: 'package', package: jq.purl, step: run }),
    f('/usr/lib/x86_64-linux-gnu/libjq.so.1', { kind: 'package', package: libjq.purl, step: run }),
    f('/var/lib/dpkg/status', { kind: 'generated', by: 'dpkg', step: run }),
    f('/usr/local/bin/hello', { kind: 'context', path: 'hello.sh', sha256: ctxSha, step: copy }, ctxSha),
    f('/usr/local/concourse/bin/concourse', {
      kind: 'stage',
      stage: 0,
      stageName: 'assets',
      path: '/usr/local/concourse/bin/concourse',
      step: fromAssets,
      origin: {
        kind: 'context',
        path: 'linux-rc/concourse-7.99.0-linux-amd64.tgz',
        sha256: tgzSha,
        member: 'concourse/bin/concourse',
        step: untar,
      },
    }),
    f('/usr/local/bin/tool', { kind: 'unattributed', step: curl }),
  ];
  return {
    tool: { name: 'scannable', version: '0.1.0' },
    created: '2024-01-01T00:00:00.000Z',
    dockerfile: { path: 'Dockerfile', sha256: 'd'.repeat(64) },
    image: {
      id: 'sha256:' + '9'.repeat(64),
      tags: ['example:latest'],
      config: { Cmd: ['hello'] },
      os: 'linux',
      architecture: 'amd64',
      layers: [],
    },
    stages: [
      {
        index: 0,
        name: 'assets',
        base: { kind: 'image', ref: 'debian:bookworm', imageId: 'sha256:' + '1'.repeat(64) },
        target: false,
      },
      { index: 1, base: { kind: 'image', ref: 'debian:bookworm', imageId: 'sha256:' + '1'.repeat(64) }, target: true },
    ],
    steps: [
      {
        step: untar,
        op: 'exec',
        cached: false,
        durationMs: 100,
        changes: { added: 3, modified: 1, deleted: 1 },
        predicted: 'partial',
        observed: { files: 0, unattributed: 0 },
        snapshot: 'sha256:' + '2'.repeat(64),
      },
      {
        step: run,
        op: 'exec',
        cached: false,
        durationMs: 900,
        changes: { added: 10, modified: 2, deleted: 0 },
        predicted: 'scannable',
        observed: { files: 3, unattributed: 0 },
        snapshot: 'sha256:' + '3'.repeat(64),
      },
      {
        step: copy,
        op: 'copy',
        cached: true,
        durationMs: 10,
        changes: { added: 1, modified: 0, deleted: 0 },
        predicted: 'scannable',
        observed: { files: 1, unattributed: 0 },
        snapshot: 'sha256:' + '4'.repeat(64),
      },
      {
        step: fromAssets,
        op: 'copy',
        cached: false,
        durationMs: 10,
        changes: { added: 1, modified: 0, deleted: 0 },
        predicted: 'scannable',
        observed: { files: 1, unattributed: 0 },
        snapshot: 'sha256:' + '5'.repeat(64),
        fromStage: 0,
      },
      {
        step: curl,
        op: 'exec',
        cached: false,
        durationMs: 10,
        changes: { added: 1, modified: 0, deleted: 0 },
        predicted: 'unscannable',
        observed: { files: 1, unattributed: 1 },
        snapshot: 'sha256:' + '6'.repeat(64),
      },
    ],
    packages: [
      { package: bash, stage: 1, baseImage: 'debian:bookworm', files: ['/usr/bin/bash'] },
      { package: jq, stage: 1, step: run, files: ['/usr/bin/jq'] },
      { package: libjq, stage: 1, step: run, files: ['/usr/lib/x86_64-linux-gnu/libjq.so.1'] },
    ],
    buildPackages: [],
    files,
    coverage: computeCoverage(files),
    problems: [],
  };
}
