/**
 * Every real corpus file against BuildKit's own output for it: the dump
 * (corpus-dumps) and the per-instruction detail (corpus-detail).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { dumpInstruction, dumpTree, parseDockerfile } from '../../grammar/dockerfile/index.js';
import { conformanceDir, corpusDir, corpusFiles, describeShared } from '../helpers/shared.js';

interface DetailInstruction {
  dump: string;
  keyword: string;
  original: string;
  startLine: number;
  endLine: number;
  flags: string[];
  attributes: { json: boolean } | null;
  heredocs: Array<{ name: string; content: string; expand: boolean; chomp: boolean; fd: number }>;
  prevComment: string[];
}
interface Detail {
  ok: boolean;
  dump: string;
  escapeToken: string;
  rootStartLine: number;
  rootEndLine: number;
  instructions: DetailInstruction[];
  warnings?: Array<{ short: string; detail: string[]; url: string; startLine: number; endLine: number }>;
}

describeShared('real corpus conformance with BuildKit', () => {
  const files = corpusFiles();
  it('has 680 corpus files', () => expect(files.length).toBe(680));

  it.each(files)('%s', (rel) => {
    const src = readFileSync(path.join(corpusDir, rel), 'utf8');
    const out = parseDockerfile(src, rel);
    if (!out.ok) throw new Error(out.diagnostics.map((d) => d.message).join('\n'));
    const tree = out.tree;
    expect(dumpTree(tree)).toBe(readFileSync(path.join(conformanceDir, 'corpus-dumps', `${rel}.result`), 'utf8'));

    const detail: Detail = JSON.parse(readFileSync(path.join(conformanceDir, 'corpus-detail', `${rel}.json`), 'utf8'));
    expect(tree.escape).toBe(detail.escapeToken);
    expect(tree.instructions.length).toBe(detail.instructions.length);
    tree.instructions.forEach((ins, i) => {
      const d = detail.instructions[i]!;
      const where = `${rel} instruction ${i + 1} (${d.keyword} line ${d.startLine})`;
      expect(dumpInstruction(ins), where).toBe(d.dump);
      // `keyword` is the word as written (the README says upper case; the data keeps the case).
      expect(ins.keyword, where).toBe(d.keyword);
      expect(ins.original, where).toBe(d.original);
      expect([ins.range.start.line, ins.range.end.line], where).toEqual([d.startLine, d.endLine]);
      expect(ins.flags, where).toEqual(d.flags);
      expect(ins.json, where).toBe(d.attributes?.json === true);
      expect(
        // Content is the raw body: the data keeps `<<-` tabs (the README says stripped).
        ins.heredocs.map((h) => ({ name: h.name, content: h.content, expand: h.expand, chomp: h.chomp, fd: h.fd })),
        where,
      ).toEqual(d.heredocs);
      expect(ins.prevComment, where).toEqual(d.prevComment);
    });
    expect(tree.instructions[0]!.range.start.line).toBe(detail.rootStartLine);
    expect(tree.instructions.at(-1)!.range.end.line).toBe(detail.rootEndLine);
    expect(
      tree.warnings.map((w) => ({
        short: w.message,
        detail: [w.detail],
        url: w.url,
        startLine: w.range.start.line,
        endLine: w.range.end.line,
      })),
    ).toEqual(detail.warnings ?? []);
  });
});
