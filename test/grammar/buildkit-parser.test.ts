import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { dumpTree, parseDockerfile } from '../../grammar/dockerfile/index.js';
import { conformanceDir, describeShared, hasShared } from '../helpers/shared.js';

const casesDir = path.join(conformanceDir, 'buildkit-parser');
const positive = hasShared
  ? readdirSync(casesDir)
      .filter((c) => existsSync(path.join(casesDir, c, 'result')))
      .sort()
  : [];

describeShared('BuildKit parser test cases', () => {
  it('has the 33 positive cases', () => expect(positive.length).toBe(33));

  it.each(positive)('%s dumps byte-identically', (name) => {
    const src = readFileSync(path.join(casesDir, name, 'Dockerfile'), 'utf8');
    const out = parseDockerfile(src, `${name}/Dockerfile`);
    if (!out.ok) throw new Error(out.diagnostics.map((d) => d.message).join('\n'));
    expect(dumpTree(out.tree)).toBe(readFileSync(path.join(casesDir, name, 'result'), 'utf8'));
  });

  const negatives: Array<[string, RegExp]> = [
    ['empty_dockerfile', /^file with no instructions$/],
    ['only_comments', /^file with no instructions$/],
    ['env_no_value', /^ENV must have two arguments$/],
    ['shykes-nested-json', /^when using JSON array syntax, arrays must be comprised of strings only$/],
  ];
  it.each(negatives)('%s is rejected', (name, message) => {
    const src = readFileSync(path.join(casesDir, 'testfiles-negative', name, 'Dockerfile'), 'utf8');
    const out = parseDockerfile(src, 'Dockerfile');
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.diagnostics[0]!.message).toMatch(message);
    expect(out.diagnostics[0]!.range.start.line).toBeGreaterThan(0);
  });

  it('line ranges follow BuildKit (testfile-line)', () => {
    const src = readFileSync(path.join(casesDir, 'testfile-line', 'Dockerfile'), 'utf8');
    const out = parseDockerfile(src);
    if (!out.ok) throw new Error('parse failed');
    const lines = out.tree.instructions.map((i) => [i.range.start.line, endLine(i)]);
    expect(lines).toEqual([
      [5, 5],
      [11, 12],
      [17, 31],
    ]);
  });

  it('extracts heredocs like BuildKit (27 vectors)', () => {
    const dir = path.join(casesDir, 'heredoc-extract');
    const src = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
      instructions: Array<{
        line: number;
        text: string;
        heredocs: null | Array<{
          Name: string;
          FileDescriptor: number;
          Expand: boolean;
          Chomp: boolean;
          Content: string;
        }>;
      }>;
    };
    const out = parseDockerfile(src);
    if (!out.ok) throw new Error(out.diagnostics[0]!.message);
    const after = out.tree.instructions.slice(1); // the FROM on line 1 is not listed
    expect(after.length).toBe(expected.instructions.length);
    let vectors = 0;
    expected.instructions.forEach((exp, i) => {
      const ins = after[i]!;
      expect(ins.range.start.line - 1, exp.text).toBe(exp.line);
      expect(ins.original).toBe(exp.text);
      const got = ins.heredocs.map((h) => ({
        Name: h.name,
        FileDescriptor: h.fd,
        Expand: h.expand,
        Chomp: h.chomp,
        Content: h.content,
      }));
      expect(got, exp.text).toEqual(exp.heredocs ?? []);
      vectors += 1;
    });
    expect(vectors).toBe(27);
  });
});

/** BuildKit's EndLine: the last line of the instruction, heredoc bodies included. */
function endLine(i: { range: { end: { line: number } } }): number {
  return i.range.end.line;
}
