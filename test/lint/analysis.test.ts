/**
 * The runner's default analysis: the plan's needed stages and each RUN's
 * analysis, computed once per file and only when asked for; and per-report
 * severities.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../grammar/dockerfile/index.js';
import { buildIR, type RunInstruction } from '../../src/ir/index.js';
import { defaultAnalysis, lintFile, type LintContext, type Rule } from '../../src/lint/index.js';

function irOf(text: string) {
  const p = parseDockerfile(text, 'Dockerfile');
  if (!p.ok) throw new Error('parse');
  return buildIR(p.tree);
}

const runs = (ir: ReturnType<typeof irOf>): RunInstruction[] =>
  ir.stages.flatMap((s) => s.instructions.filter((i): i is RunInstruction => i.kind === 'run'));

const FILE = [
  'FROM alpine:3.20 AS unused',
  'WORKDIR /work',
  'RUN cd sub && curl -o x https://example.com/x',
  'FROM alpine:3.20 AS build',
  'RUN apk add --no-cache curl',
  'FROM build',
  'RUN echo done',
  '',
].join('\n');

describe('defaultAnalysis', () => {
  it("gives the lowered plan's needed stages (not the stages the target does not need)", () => {
    expect(defaultAnalysis(irOf(FILE)).plan).toEqual({ neededStages: [1, 2] });
  });

  it('analyses each RUN once, needed stage or not, with the WORKDIR lowering would give it', () => {
    const ir = irOf(FILE);
    const a = defaultAnalysis(ir);
    const [unused, apk] = runs(ir);
    const first = a.runAnalysis!(unused!);
    expect(a.runAnalysis!(unused!)).toBe(first);
    expect(first.commands.find((c) => c.name === 'curl')?.cwd).toBe('/work/sub');
    expect(first.intents.map((i) => i.kind)).toEqual(['Download']);
    expect(a.runAnalysis!(apk!)).toBe(a.runAnalysis!(apk!));
    expect(a.runAnalysis!(apk!).intents.map((i) => i.kind)).toEqual(['PackageInstall']);
  });

  it('is what lintFile gives rules unless the analyze option replaces it', () => {
    const seen: Array<LintContext['plan']> = [];
    const probe: Rule = {
      id: 'Probe',
      family: 'scannable',
      severity: 'warning',
      title: 'probe',
      description: 'probe',
      docs: 'docs/rules/Probe.md',
      check(ctx) {
        seen.push(ctx.plan);
        const run = runs(ctx.ir)[0]!;
        return ctx.runAnalysis
          ? [
              {
                range: run.range,
                message: ctx
                  .runAnalysis(run)
                  .intents.map((i) => i.kind)
                  .join(','),
              },
            ]
          : [];
      },
    };
    expect(lintFile({ file: 'Dockerfile', text: FILE }, { rules: [probe] }).findings.map((f) => f.message)).toEqual([
      'Download',
    ]);
    expect(seen).toEqual([{ neededStages: [1, 2] }]);
    expect(lintFile({ file: 'Dockerfile', text: FILE }, { rules: [probe], analyze: () => ({}) }).findings).toEqual([]);
    expect(seen[1]).toBeUndefined();
  });
});

describe('report severity', () => {
  const rule: Rule = {
    id: 'Two',
    family: 'scannable',
    severity: 'warning',
    title: 'two',
    description: 'two',
    docs: 'docs/rules/Two.md',
    check: (ctx) => [
      { range: ctx.ir.stages[0]!.from.range, message: 'default' },
      { range: ctx.ir.stages[0]!.from.range, message: 'lesser', severity: 'info' },
    ],
  };
  const severities = (config?: Parameters<typeof lintFile>[0]['config']) =>
    lintFile(
      { file: 'Dockerfile', text: 'FROM scratch\n', ...(config ? { config } : {}) },
      { rules: [rule] },
    ).findings.map((f) => `${f.message} ${f.severity}`);

  it("a report's own severity replaces the rule's", () => {
    expect(severities()).toEqual(['default warning', 'lesser info']);
  });
  it('a configured severity applies to every report of the rule', () => {
    expect(severities({ ignore: [], severity: { Two: 'error' }, trustedRegistries: [], threshold: 'warning' })).toEqual(
      ['default error', 'lesser error'],
    );
  });
});
