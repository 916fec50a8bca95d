/**
 * Every rule over the 680 real corpus files: no crash, findings inside the
 * file, the same findings twice; the provenance rules' hit counts and the
 * time taken are printed (docs/lint-corpus.md has them). Files checked by
 * hand pin down what the provenance rules must and must not say about them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseDockerfile } from '../../grammar/dockerfile/index.js';
import { lint, lintFile, rules, type Finding, type LintInput } from '../../src/lint/index.js';
import { runViews } from '../../src/lint/rules/scannable/runs.js';
import { corpusDir, corpusFiles, describeShared } from '../helpers/shared.js';

const SCN = rules.filter((r) => r.family === 'scannable').map((r) => r.id);

function load(): LintInput[] {
  return corpusFiles().map((rel) => ({ file: rel, text: readFileSync(path.join(corpusDir, rel), 'utf8') }));
}

const at = (f: Finding): string => `${f.file}:${f.line}`;

describeShared('lint over the real corpus', () => {
  const files = load();
  const byFile = new Map(files.map((f) => [f.file, f]));
  const only = (rule: string, findings: readonly Finding[]) => findings.filter((f) => f.rule === rule);

  it('lints all 680 files with every rule: no crash, findings inside their file, the same twice; prints the SCN hit table', () => {
    expect(files).toHaveLength(680);
    const first = lint(files);
    const t0 = performance.now();
    const second = lint(files);
    const lintMs = performance.now() - t0;
    const t1 = performance.now();
    for (const f of files) parseDockerfile(f.text, f.file);
    const parseMs = performance.now() - t1;

    expect(first.errors).toEqual([]);
    expect(second).toEqual(first);
    for (const f of first.findings) {
      const lines = byFile.get(f.file)!.text.split('\n').length;
      expect(
        f.line >= 1 && f.column >= 1 && f.endLine <= lines && (f.endLine > f.line || f.endColumn >= f.column),
        `${at(f)} ${f.rule}`,
      ).toBe(true);
    }

    const counts = new Map<string, { findings: number; files: Set<string> }>(
      SCN.map((id) => [id, { findings: 0, files: new Set() }]),
    );
    for (const f of first.findings) {
      const c = counts.get(f.rule);
      if (c) {
        c.findings++;
        c.files.add(f.file);
      }
    }
    const rows = [...counts].map(
      ([id, c]) => `  ${id}  ${String(c.findings).padStart(5)} findings in ${String(c.files.size).padStart(3)} files`,
    );
    process.stdout.write(
      `lint corpus: ${files.length} files, ${first.findings.length} findings (all rules)\n${rows.join('\n')}\n` +
        `  warm: lint ${lintMs.toFixed(0)} ms, parse ${parseMs.toFixed(0)} ms (one run each; npx vitest bench --run test/lint/corpus.bench.ts measures properly)\n`,
    );
    // Each rule finds something in the corpus, so a rule that silently stops working fails here.
    for (const [id, c] of counts) expect(c.findings, id).toBeGreaterThan(0);
  });

  // docker-library and adoptium images download their tarballs and check them (sha256sum -c, gpg --verify): never SCN102.
  const verifying = [
    'docker-library__python/3.13__bookworm__Dockerfile',
    'nodejs__docker-node/22__bookworm__Dockerfile',
    'docker-library__ruby/3.3__bookworm__Dockerfile',
    'docker-library__redis/7.0__alpine__Dockerfile',
    'docker-library__postgres/14__bookworm__Dockerfile',
    'docker-library__golang/1.26__bookworm__Dockerfile',
    'docker-library__httpd/2.4__Dockerfile',
    'docker-library__php/8.3__bookworm__cli__Dockerfile',
    'docker-library__tomcat/9.0__jdk8__temurin-noble__Dockerfile',
    'adoptium__containers/21__jdk__ubuntu__noble__Dockerfile',
  ];
  it.each(verifying)('%s: downloads, all verified', (rel) => {
    const input = byFile.get(rel)!;
    let downloads = 0;
    const counter = {
      ...rules.find((r) => r.id === 'SCN102')!,
      id: 'count',
      check: (ctx: Parameters<(typeof rules)[number]['check']>[0]) => {
        for (const v of runViews(ctx)) downloads += v.downloads.filter((d) => d.use.kind === 'file').length;
        return [];
      },
    };
    const found = lintFile(input, {
      rules: [...rules.filter((r) => r.id === 'SCN102' || r.id === 'SCN101'), counter],
    }).findings;
    expect(downloads).toBeGreaterThan(0);
    expect(found).toEqual([]);
  });

  it('SCN101: exactly the two golangci-lint install.sh pipes', () => {
    const found = lint(
      files.filter((f) => f.text.includes('install.sh')),
      { rules: rules.filter((r) => r.id === 'SCN101') },
    ).findings;
    expect(found.map(at)).toEqual([
      'docker__buildx/hack__dockerfiles__lint.Dockerfile:35',
      'moby__buildkit/hack__dockerfiles__lint.Dockerfile:37',
    ]);
  });

  it('SCN102: docker-library docker fetches docker.tgz with no check', () => {
    const found = only('SCN102', lintFile(byFile.get('docker-library__docker/29__cli__Dockerfile')!).findings);
    expect(found.map((f) => `${f.line}:${f.column}`)).toEqual(['47:2']);
    expect(found[0]!.message).toMatch(/^"\$url" is downloaded to docker\.tgz but never verified in this RUN/);
  });

  it('SCN104 and SCN107: proxytunnel cloned without a commit, then built', () => {
    const found = lintFile(byFile.get('concourse__git-resource/Dockerfile')!).findings.filter(
      (f) => f.rule === 'SCN104' || f.rule === 'SCN107',
    );
    expect(found.map((f) => `${f.rule} ${f.line}`)).toEqual(['SCN107 11', 'SCN104 13']);
  });

  it('SCN106: the .deb downloaded without a check', () => {
    const found = only(
      'SCN106',
      lintFile(byFile.get('moby__buildkit/frontend__dockerfile__parser__testfiles__influxdb__Dockerfile')!).findings,
    );
    expect(found.map((f) => `${f.line}:${f.column} ${f.severity}`)).toEqual(['5:13 warning']);
  });

  it('SCN110: the test images that delete the apk database', () => {
    const found = only('SCN110', lint(files.filter((f) => f.file.startsWith('anchore__syft/'))).findings);
    expect(found.map(at)).toEqual([
      'anchore__syft/syft__internal__fileresolver__testdata__image-files-deleted__Dockerfile:6',
      'anchore__syft/test__cli__testdata__image-unknowns__Dockerfile:2',
    ]);
  });

  it('SCN108: digest-pinned bases are not reported', () => {
    const pinned = files.filter((f) => /^FROM\s+(--platform=\S+\s+)?[^\s$]+@sha256:[0-9a-f]{64}(\s|$)/im.test(f.text));
    expect(pinned.length).toBeGreaterThan(10);
    const found = only('SCN108', lint(pinned, { rules: rules.filter((r) => r.id === 'SCN108') }).findings);
    for (const f of found) expect(byFile.get(f.file)!.text.split('\n')[f.line - 1], at(f)).not.toMatch(/@sha256:/);
  });
});
