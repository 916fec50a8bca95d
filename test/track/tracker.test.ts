import { describe, expect, it } from 'vitest';
import { MemoryFs } from '../../src/snapshot/memory-fs.js';
import { Tracker, type StageTrace, type TracedStep } from '../../src/track/tracker.js';

const ref = (id: string, line: number, instruction: string, stage = 1) => ({
  id,
  stage,
  line,
  endLine: line,
  instruction,
});

function dpkgStatus(pkgs: Array<[string, string]>): string {
  return pkgs
    .map(
      ([name, version]) =>
        `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\nMaintainer: Debian\n`,
    )
    .join('\n');
}

describe('tracker', () => {
  const base = { kind: 'image' as const, ref: 'debian:bookworm', imageId: 'sha256:base' };
  const untar: TracedStep = {
    ref: ref('s0.2', 3, 'RUN tar -xzf /tmp/*.tgz -C /usr/local && rm /tmp/*.tgz', 0),
    op: 'exec',
    changes: [
      { path: '/usr/local/concourse', kind: 'added' },
      { path: '/usr/local/concourse/bin/concourse', kind: 'added' },
      { path: '/tmp/rc.tgz', kind: 'deleted' },
      { path: '/usr/local/stray', kind: 'added' },
    ],
    intents: { extracts: [{ archive: '/tmp/*.tgz', dest: '/usr/local' }], downloads: [], builds: [] },
    archiveMembers: new Map([['context:linux-rc/rc.tgz', new Set(['concourse/', 'concourse/bin/concourse'])]]),
  };
  const copyTgz: TracedStep = {
    ref: ref('s0.1', 2, 'COPY linux-rc/*.tgz /tmp/', 0),
    op: 'copy',
    changes: [{ path: '/tmp/rc.tgz', kind: 'added' }],
    placed: new Map([['/tmp/rc.tgz', { kind: 'context', path: 'linux-rc/rc.tgz', sha256: 'c'.repeat(64) }]]),
  };
  const assets: StageTrace = { index: 0, name: 'assets', base, steps: [copyTgz, untar] };

  const install: TracedStep = {
    ref: ref('s1.1', 6, 'RUN apt-get install -y jq'),
    op: 'exec',
    changes: [
      { path: '/usr/bin/jq', kind: 'added' },
      { path: '/var/lib/dpkg/info/jq.list', kind: 'added' },
      { path: '/var/lib/dpkg/status', kind: 'modified' },
      { path: '/etc/jq-extra.conf', kind: 'added' },
    ],
    intents: { extracts: [], downloads: [], builds: [] },
  };
  const copyFrom: TracedStep = {
    ref: ref('s1.2', 7, 'COPY --from=assets /usr/local/concourse /usr/local/concourse'),
    op: 'copy',
    changes: [{ path: '/usr/local/concourse/bin/concourse', kind: 'added' }],
    placed: new Map([
      ['/usr/local/concourse/bin/concourse', { kind: 'stage', stage: 0, path: '/usr/local/concourse/bin/concourse' }],
    ]),
  };
  const curl: TracedStep = {
    ref: ref('s1.3', 8, 'RUN curl -o /usr/local/bin/tool https://e.com/tool'),
    op: 'exec',
    changes: [{ path: '/usr/local/bin/tool', kind: 'added' }],
    intents: {
      extracts: [],
      downloads: [{ url: 'https://e.com/tool', output: '/usr/local/bin/tool', verified: false }],
      builds: [],
    },
  };
  const fs = new MemoryFs({
    '/bin': { symlink: 'usr/bin' },
    '/usr/bin/bash': 'bash',
    '/usr/bin/jq': 'jq',
    '/etc/jq-extra.conf': 'x',
    '/var/lib/dpkg/status': dpkgStatus([
      ['bash', '5.2'],
      ['jq', '1.6'],
    ]),
    '/var/lib/dpkg/info/bash.list': '/bin/bash\n',
    '/var/lib/dpkg/info/jq.list': '/usr/bin/jq\n',
    '/usr/local/concourse/bin/concourse': 'stand-in',
    '/usr/local/bin/tool': 'tool',
    '/etc/untouched': 'base',
  });
  const final: StageTrace = { index: 1, base, steps: [install, copyFrom, curl], fs };
  const tracker = new Tracker([assets, final]);

  it('attributes package files to the installing step or the base image, through merged /usr', () => {
    expect(tracker.originOf(1, '/usr/bin/jq')).toEqual({
      kind: 'package',
      package: expect.stringContaining('pkg:deb/debian/jq@1.6'),
      step: install.ref,
    });
    expect(tracker.originOf(1, '/usr/bin/bash')).toMatchObject({
      kind: 'base',
      image: 'debian:bookworm',
      package: expect.stringContaining('pkg:deb/debian/bash@5.2'),
    });
    expect(tracker.originOf(1, '/var/lib/dpkg/status')).toEqual({ kind: 'generated', by: 'dpkg', step: install.ref });
    expect(tracker.originOf(1, '/etc/untouched')).toEqual({
      kind: 'base',
      image: 'debian:bookworm',
      imageId: 'sha256:base',
    });
  });

  it('follows a stage copy to the context archive a RUN unpacked', () => {
    expect(tracker.originOf(1, '/usr/local/concourse/bin/concourse')).toEqual({
      kind: 'stage',
      stage: 0,
      stageName: 'assets',
      path: '/usr/local/concourse/bin/concourse',
      step: copyFrom.ref,
      origin: {
        kind: 'context',
        path: 'linux-rc/rc.tgz',
        sha256: 'c'.repeat(64),
        member: 'concourse/bin/concourse',
        step: untar.ref,
      },
    });
    // Not a member of the archive: the RUN's own doing.
    expect(tracker.originOf(0, '/usr/local/stray')).toEqual({ kind: 'unattributed', step: untar.ref });
  });

  it('marks downloads and unexplained files', () => {
    expect(tracker.originOf(1, '/usr/local/bin/tool')).toEqual({
      kind: 'unattributed',
      step: curl.ref,
      note: 'downloaded from https://e.com/tool without a checksum or signature check',
    });
    expect(tracker.originOf(1, '/etc/jq-extra.conf')).toEqual({ kind: 'unattributed', step: install.ref });
  });

  it('summarises the target with packages, files and per-step observations', () => {
    const r = tracker.result(1);
    expect(r.packages.map((p) => [p.package.name, p.step?.id ?? p.baseImage])).toEqual([
      ['bash', 'debian:bookworm'],
      ['jq', 's1.1'],
    ]);
    expect(r.packages[0]!.files).toEqual(['/usr/bin/bash']);
    expect(r.observed.get('s1.1')).toEqual({ files: 4, unattributed: 1 });
    expect(r.observed.get('s1.3')).toEqual({ files: 1, unattributed: 1 });
    expect(r.files.find((f) => f.path === '/usr/bin/jq')!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
