import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDockerfile } from '../../src/image/dockerfile.js';
import { alignHistory, layersOfHistory, parseCreatedBy } from '../../src/image/history.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dockerfile(text: string): ReturnType<typeof loadDockerfile> {
  const file = path.join(dir, `Dockerfile.${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  return loadDockerfile(file);
}

const CONCOURSE = `FROM debian:bookworm AS assets
COPY linux-rc/*.tgz /tmp/
RUN tar -xzf /tmp/*.tgz -C /usr/local && rm /tmp/*.tgz

FROM debian:bookworm

ENV CONCOURSE_SESSION_SIGNING_KEY=/concourse-keys/session_signing_key \\
    CONCOURSE_TSA_AUTHORIZED_KEYS=/concourse-keys/authorized_worker_keys

VOLUME /worker-state

RUN apt-get update && apt-get install -y --no-install-recommends \\
      btrfs-progs \\
      ca-certificates \\
 && rm -rf /var/lib/apt/lists/*

COPY --from=assets /usr/local/concourse /usr/local/concourse

STOPSIGNAL SIGUSR2

ENTRYPOINT ["dumb-init", "/usr/local/concourse/bin/concourse"]
`;

/** The history docker 20.10's legacy builder wrote for that Dockerfile (from `docker history --no-trunc`), base entries first. */
const LEGACY = [
  '/bin/sh -c #(nop) ADD file:b5f1e3bd0c4c2b4d8b5b... in / ',
  '/bin/sh -c #(nop)  CMD ["bash"]',
  '/bin/sh -c #(nop)  ENV CONCOURSE_SESSION_SIGNING_KEY=/concourse-keys/session_signing_key CONCOURSE_TSA_AUTHORIZED_KEYS=/concourse-keys/authorized_worker_keys',
  '/bin/sh -c #(nop)  VOLUME [/worker-state]',
  '/bin/sh -c apt-get update && apt-get install -y --no-install-recommends       btrfs-progs       ca-certificates  && rm -rf /var/lib/apt/lists/*',
  '/bin/sh -c #(nop) COPY dir:a833e3b33361b9e73feea0f9a8486f4905c74ab6d86b328c5038b4e9f840fcc8 in /usr/local/concourse ',
  '/bin/sh -c #(nop)  STOPSIGNAL SIGUSR2',
  '/bin/sh -c #(nop)  ENTRYPOINT ["dumb-init" "/usr/local/concourse/bin/concourse"]',
];

/** What BuildKit writes for the same instructions. */
const BUILDKIT = [
  'ADD file:b5f1e3bd0c4c2b4d8b5b in / ',
  'CMD ["bash"]',
  'ENV CONCOURSE_SESSION_SIGNING_KEY=/concourse-keys/session_signing_key CONCOURSE_TSA_AUTHORIZED_KEYS=/concourse-keys/authorized_worker_keys',
  'VOLUME [/worker-state]',
  'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends       btrfs-progs       ca-certificates  && rm -rf /var/lib/apt/lists/* # buildkit',
  'COPY /usr/local/concourse /usr/local/concourse # buildkit',
  'STOPSIGNAL SIGUSR2',
  'ENTRYPOINT ["dumb-init" "/usr/local/concourse/bin/concourse"]',
];

describe('parseCreatedBy', () => {
  it('reads the legacy builder, BuildKit and build-arg forms', () => {
    expect(parseCreatedBy('/bin/sh -c #(nop)  CMD ["hello"]')).toEqual({
      builder: 'legacy',
      keyword: 'CMD',
      text: '["hello"]',
      buildArgs: false,
    });
    expect(parseCreatedBy('/bin/sh -c #(nop) COPY file:3c2a in /usr/local/bin/hello ')).toMatchObject({
      builder: 'legacy',
      keyword: 'COPY',
      text: 'file:3c2a in /usr/local/bin/hello',
    });
    expect(parseCreatedBy('/bin/sh -c apt-get update')).toEqual({
      builder: 'legacy',
      keyword: 'RUN',
      text: '/bin/sh -c apt-get update',
      buildArgs: false,
    });
    expect(parseCreatedBy('|2 A=1 B=two /bin/sh -c make')).toEqual({
      builder: 'legacy',
      keyword: 'RUN',
      text: '/bin/sh -c make',
      buildArgs: true,
    });
    expect(parseCreatedBy('RUN |1 V=3 /bin/sh -c make # buildkit')).toEqual({
      builder: 'buildkit',
      keyword: 'RUN',
      text: '/bin/sh -c make',
      buildArgs: true,
    });
    expect(parseCreatedBy('COPY hello.sh /usr/local/bin/hello # buildkit')).toMatchObject({
      builder: 'buildkit',
      keyword: 'COPY',
      text: 'hello.sh /usr/local/bin/hello',
    });
    expect(parseCreatedBy('WORKDIR /src')).toMatchObject({ builder: 'buildkit', keyword: 'WORKDIR', text: '/src' });
    expect(parseCreatedBy(undefined)).toMatchObject({ keyword: '' });
  });
});

describe('alignHistory', () => {
  const df = dockerfile(CONCOURSE);
  const lines = (history: string[]) =>
    alignHistory(history.map(parseCreatedBy), df.expected).map((e) =>
      e.kind === 'match'
        ? `${e.history}->${df.expected[e.op]!.op.range.start.line}:${e.strength}`
        : e.kind === 'history'
          ? `${e.history}->none`
          : `none->${df.expected[e.op]!.op.range.start.line}`,
    );

  it('ties every instruction of the image stage to its history entry, and leaves the base entries alone', () => {
    // The chain is the final stage only: the assets stage is read through COPY --from.
    expect(df.expected.map((e) => e.op.keyword)).toEqual(['ENV', 'VOLUME', 'RUN', 'COPY', 'STOPSIGNAL', 'ENTRYPOINT']);
    const want = [
      '0->none',
      '1->none',
      '2->7:strong',
      '3->10:strong',
      '4->12:strong',
      '5->17:strong',
      '6->19:strong',
      '7->21:strong',
    ];
    expect(lines(LEGACY)).toEqual(want);
    expect(lines(BUILDKIT)).toEqual(want);
  });

  it('keeps the order when a command differs, and says what did not match', () => {
    const edited = [...LEGACY];
    edited[4] = '/bin/sh -c apt-get update && apt-get install -y btrfs-progs';
    edited.splice(6, 0, '/bin/sh -c echo from an ONBUILD trigger');
    expect(lines(edited)).toEqual([
      '0->none',
      '1->none',
      '2->7:strong',
      '3->10:strong',
      '4->12:weak',
      '5->17:strong',
      '6->none',
      '7->19:strong',
      '8->21:strong',
    ]);
    // An instruction the history does not record.
    expect(lines(LEGACY.filter((_, i) => i !== 6))).toEqual([
      '0->none',
      '1->none',
      '2->7:strong',
      '3->10:strong',
      '4->12:strong',
      '5->17:strong',
      'none->19',
      '6->21:strong',
    ]);
  });

  it('matches a base entry that looks like an instruction only when nothing later does', () => {
    const d = dockerfile('FROM debian:bookworm\nCMD ["bash"]\n');
    const history = [
      '/bin/sh -c #(nop) ADD file:1 in / ',
      '/bin/sh -c #(nop)  CMD ["bash"]',
      '/bin/sh -c #(nop)  CMD ["bash"]',
    ].map(parseCreatedBy);
    expect(alignHistory(history, d.expected)).toEqual([
      { kind: 'history', history: 0 },
      { kind: 'history', history: 1 },
      { kind: 'match', history: 2, op: 0, strength: 'strong' },
    ]);
  });

  it('numbers layers by history entries that made one', () => {
    expect(layersOfHistory([{ emptyLayer: false }, { emptyLayer: true }, { emptyLayer: false }], 2)).toEqual([
      0,
      undefined,
      1,
    ]);
    expect(layersOfHistory([{ emptyLayer: false }], 2)).toBeUndefined();
  });
});
