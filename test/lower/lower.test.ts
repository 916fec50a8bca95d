import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../grammar/dockerfile/index.js';
import { buildIR } from '../../src/ir/index.js';
import { lower, type Op, type Plan } from '../../src/lower/index.js';
import { planToText } from '../../src/plan/text.js';

function plan(text: string, target?: string): Plan {
  const p = parseDockerfile(text, 'Dockerfile');
  if (!p.ok) throw new Error(p.diagnostics[0]!.message);
  return lower(buildIR(p.tree, target ? { target } : {}), target ? { target } : {});
}
const ops = (p: Plan, stage = p.stages.length - 1): Op[] => p.stages[stage]!.ops;

describe('lowering', () => {
  it('builds only the stages the target needs, in order', () => {
    const text = 'FROM a AS one\nFROM b AS two\nFROM one AS three\nCOPY --from=two /x /x\nFROM c AS unused\nRUN true\n';
    expect(plan(text, 'three').stages.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(plan(text, 'two').stages.map((s) => s.index)).toEqual([1]);
    expect(plan(text).stages.map((s) => s.index)).toEqual([3]);
    expect(plan(text, 'three').stages[2]!.dependsOn).toEqual([0, 1]);
    const missing = plan(text, 'nope');
    expect(missing.diagnostics.at(-1)).toMatchObject({
      message: 'target stage "nope" could not be found',
      hint: 'stages with names: one, two, three, unused',
    });
  });

  it('maps each instruction to one primitive op', () => {
    const p = plan(
      'FROM a\nENV X=1\nWORKDIR app\nCOPY . .\nRUN make\nADD https://e.com/f.tar.gz /opt/\nADD repo.tar.gz /opt/\nADD https://github.com/o/r.git#v1 /src\nUSER 1000\nCMD ["x"]\n',
    );
    expect(ops(p).map((o) => o.kind)).toEqual([
      'base',
      'config',
      'mkdir',
      'copy',
      'exec',
      'fetch',
      'extract',
      'gitFetch',
      'config',
      'config',
    ]);
    expect(ops(p).map((o) => o.id)).toEqual([
      's0.0',
      's0.1',
      's0.2',
      's0.3',
      's0.4',
      's0.5',
      's0.6',
      's0.7',
      's0.8',
      's0.9',
    ]);
    const [, , mkdir, copy, exec] = ops(p);
    expect(mkdir).toMatchObject({ kind: 'mkdir', path: '/app' });
    expect(copy).toMatchObject({
      kind: 'copy',
      sources: ['.'],
      dest: '/app/',
      from: { kind: 'context' },
      inputs: [{ kind: 'context', path: '.' }],
    });
    expect(exec).toMatchObject({
      kind: 'exec',
      workdir: '/app',
      command: { form: 'shell', script: 'make' },
      shell: ['/bin/sh', '-c'],
    });
    expect(ops(p)[7]).toMatchObject({ kind: 'gitFetch', url: 'https://github.com/o/r.git', ref: 'v1', dest: '/src' });
    expect(ops(p)[9]).toMatchObject({ kind: 'config', patch: { cmd: ['x'] } });
  });

  it('judges remote sources by their verification', () => {
    const p = plan(
      'FROM a\nADD https://e.com/x /x\nADD --checksum=sha256:0123 https://e.com/y /y\nADD https://github.com/o/r.git /r\n',
    );
    expect(
      ops(p)
        .slice(1)
        .map((o) => o.verdict.level),
    ).toEqual(['unscannable', 'scannable', 'partial']);
  });

  it('resolves destinations against WORKDIR and keeps directory-ness', () => {
    const p = plan('FROM a\nWORKDIR /w\nCOPY a b\nCOPY a b/\nCOPY a ./\nCOPY a /abs\nWORKDIR ../x/./y\nCOPY a .\n');
    expect(
      ops(p)
        .filter((o) => o.kind === 'copy')
        .map((o) => (o.kind === 'copy' ? o.dest : '')),
    ).toEqual(['/w/b', '/w/b/', '/w/', '/abs', '/x/y/']);
  });

  it('passes ARG values to RUN until an ENV of the same name takes over', () => {
    const p = plan('FROM a\nARG V=1\nARG W=2\nENV W=3\nRUN echo\n');
    const exec = ops(p).find((o) => o.kind === 'exec');
    expect(exec && exec.kind === 'exec' ? exec.args : []).toEqual([['V', '1']]);
  });

  it('declares mount inputs', () => {
    const p = plan(
      'FROM a AS b\nFROM a\nRUN --mount=type=bind,from=b,source=/x,target=/y --mount=type=secret,id=tok --mount=type=bind,target=/ctx true\n',
    );
    const exec = ops(p).find((o) => o.kind === 'exec')!;
    expect(exec.inputs).toEqual([
      { kind: 'stage', stage: 0, path: '/x' },
      { kind: 'secret', id: 'tok' },
      { kind: 'context', path: '.' },
    ]);
  });

  it('prints a readable listing', () => {
    const text = planToText(plan('FROM debian:bookworm\nADD https://e.com/x /x\n'));
    expect(text).toContain('s0.1       2  fetch    UNSCANNABLE https://e.com/x -> /x');
    expect(text).toContain('remote file without --checksum');
    expect(text).toMatch(/2 ops: 1 scannable, 0 partial, 1 unscannable, 0 config-only/);
  });
});
