import { describe, expect, it } from 'vitest';
import { lintFile, parseCheckOptions, rulesForHadolint, type LintOptions } from '../../src/lint/index.js';

const found = (text: string, options: LintOptions = {}): string[] =>
  lintFile({ file: 'Dockerfile', text }, options).findings.map((f) => `${f.line} ${f.rule} ${f.severity}`);

describe('# check= directive', () => {
  const body = 'FROM scratch as base\ncopy Dockerfile .\n# x\nARG y\n';
  it('without one: every non-experimental rule', () => {
    expect(found(body)).toEqual(['1 FromAsCasing warning', '2 ConsistentInstructionCasing warning']);
  });
  it('skip=all skips BuildKit checks only', () => {
    expect(found('#check=skip=all\n' + body)).toEqual([]);
    expect(found('#check=skip=all\n' + body + 'BOGUS\n')).toEqual(['6 DockerfileError error']);
  });
  it('skip= names rules', () => {
    expect(found('#check=skip=ConsistentInstructionCasing\n' + body)).toEqual(['2 FromAsCasing warning']);
  });
  it('error=true makes BuildKit findings errors', () => {
    expect(found('#check=skip=ConsistentInstructionCasing;error=true\n' + body)).toEqual(['2 FromAsCasing error']);
  });
  it('experimental= enables experimental rules, and skip does not apply to them', () => {
    expect(found('# check=skip=all;experimental=InvalidDefinitionDescription\n' + body)).toEqual([
      '5 InvalidDefinitionDescription warning',
    ]);
    expect(found('# check=experimental=all\n' + body)).toEqual([
      '2 FromAsCasing warning',
      '3 ConsistentInstructionCasing warning',
      '5 InvalidDefinitionDescription warning',
    ]);
  });
  it("the runner's check option replaces the directive, as BuildKit's frontend option does", () => {
    expect(
      found('#check=skip=all\n' + body, { check: { skip: ['ConsistentInstructionCasing'], error: true } }),
    ).toEqual(['2 FromAsCasing error']);
  });
  it("parses like BuildKit's ParseLintOptions", () => {
    expect(parseCheckOptions(' skip = A , B ; error = True ')).toEqual({
      ok: true,
      options: { skip: ['A', 'B'], experimental: [], error: true },
    });
    expect(parseCheckOptions('experimental=all')).toEqual({
      ok: true,
      options: { skip: [], experimental: 'all', error: false },
    });
    expect(parseCheckOptions('skip=a;error=1;experimental=b;x=y')).toEqual({
      ok: true,
      options: { skip: ['a'], experimental: ['b;x=y'], error: true },
    });
    expect(parseCheckOptions('Skip=a')).toEqual({
      ok: false,
      error: 'failed to parse check options: invalid check option "Skip"',
    });
  });
});

describe('ignore comments', () => {
  const text = (comment: string): string => `FROM scratch\n${comment}\nCMD run \\\n  --fast\nMAINTAINER me\n`;
  it('# scannable ignore= above an instruction silences those rules there', () => {
    expect(found(text('# nothing'))).toEqual(['3 JSONArgsRecommended warning', '5 MaintainerDeprecated warning']);
    expect(found(text('# scannable ignore=JSONArgsRecommended'))).toEqual(['5 MaintainerDeprecated warning']);
    expect(found(text('# scannable ignore=MaintainerDeprecated, JSONArgsRecommended -- documented in README'))).toEqual(
      ['5 MaintainerDeprecated warning'],
    );
    expect(found(text('# scannable ignore=JSONArgsRecommended\n# another comment'))).toEqual([
      '6 MaintainerDeprecated warning',
    ]);
  });
  it('only in the comment block directly above', () => {
    expect(found(text('# scannable ignore=JSONArgsRecommended\n'))).toEqual([
      '4 JSONArgsRecommended warning',
      '6 MaintainerDeprecated warning',
    ]);
  });
  it('# hadolint ignore= silences the corresponding rules', () => {
    expect(found(text('# hadolint ignore=DL3025,DL3008'))).toEqual(['5 MaintainerDeprecated warning']);
  });
  it('# hadolint global ignore= silences them in the whole file', () => {
    expect(found('# hadolint global ignore=DL4000\n' + text('#'))).toEqual(['4 JSONArgsRecommended warning']);
  });
  it('the hadolint table', () => {
    expect(rulesForHadolint('DL3029')).toEqual(['FromPlatformFlagConstDisallowed', 'RedundantTargetPlatform']);
    expect(rulesForHadolint('dl3000')).toEqual(['WorkdirRelativePath']);
    expect(rulesForHadolint('DL3008')).toEqual([]);
  });
});
