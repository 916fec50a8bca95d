import { describe, expect, it } from 'vitest';
import { dumpTree, parseDockerfile, positionInInstruction } from '../../grammar/dockerfile/index.js';
import { checkDockerfileGrammar } from '../../grammar/dockerfile/parser.js';

function tree(text: string) {
  const out = parseDockerfile(text, 'Dockerfile');
  if (!out.ok) throw new Error(out.diagnostics[0]!.message);
  return out.tree;
}
const dump = (text: string) => dumpTree(tree(text));
const error = (text: string) => {
  const out = parseDockerfile(text, 'Dockerfile');
  if (out.ok) throw new Error('expected a parse error');
  return out.diagnostics[0]!;
};

describe('Dockerfile grammar', () => {
  it("passes Chevrotain's definition checks (skipped at start-up)", () => {
    expect(() => checkDockerfileGrammar()).not.toThrow();
  });

  it('handles CRLF line endings and a byte-order mark', () => {
    expect(dump('\ufeffFROM a\r\nRUN echo \\\r\n  hi\r\n')).toBe('(from "a")\n(run "echo   hi")\n');
  });

  it('uses the escape directive for continuations and flags', () => {
    const t = tree('# escape=`\nFROM a\nRUN dir C:\\ `\n  /b\nCOPY --chown=a` b x y\n');
    expect(t.escape).toBe('`');
    expect(t.directives).toEqual([
      { name: 'escape', value: '`', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 11 } } },
    ]);
    expect(dumpTree(t)).toBe('(from "a")\n(run "dir C:\\\\   /b")\n(copy ["--chown=a b"] "x" "y")\n');
  });

  it('stops looking for directives after the first other line', () => {
    expect(tree('# hello\n# escape=`\nFROM a\n').escape).toBe('\\');
    expect(tree('# syntax=docker/dockerfile:1\n#check=skip=all\nFROM a\n').directives.map((d) => d.name)).toEqual([
      'syntax',
      'check',
    ]);
    expect(error('# escape=\\\n# escape=`\nFROM a\n').message).toBe('only one escape parser directive can be used');
    expect(error('# escape=x\nFROM a\n').message).toBe("invalid escape token 'x' does not match ` or \\");
  });

  it('drops comments and warns about empty lines inside continuations', () => {
    const t = tree('FROM a\nRUN a \\\n# comment\n\n  b\n');
    expect(dumpTree(t)).toBe('(from "a")\n(run "a   b")\n');
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toMatchObject({
      rule: 'NoEmptyContinuation',
      message: 'Empty continuation line found in: RUN a   b',
    });
    expect(t.instructions[1]!.range).toEqual({ start: { line: 2, column: 1 }, end: { line: 5, column: 4 } });
  });

  it('does not mistake object prototype names for instructions (found by fuzzing)', () => {
    expect(dump('__proto__\nconstructor x\ntoString\n')).toBe('(__proto__ "")\n(constructor "")\n(tostring "")\n');
  });

  it('keeps unknown instructions with an empty argument, as BuildKit dumps them', () => {
    expect(dump('FROM a\nBOGUS x y\n')).toBe('(from "a")\n(bogus "")\n');
  });

  it('reads several heredocs on one line, with chomping and quoting', () => {
    const t = tree("FROM a\nCOPY <<A <<-'B' /dst/\na $x\nA\n\tb\n\tB\n");
    expect(t.instructions[1]!.heredocs.map((h) => [h.name, h.expand, h.chomp, h.content])).toEqual([
      ['A', true, false, 'a $x\n'],
      ['B', false, true, '\tb\n'],
    ]);
    expect(t.instructions[1]!.range.end.line).toBe(6);
  });

  it('maps offsets of joined lines back to the source', () => {
    const ins = tree('FROM a\n  RUN one \\\n    two\n').instructions[1]!;
    expect(ins.original).toBe('RUN one     two');
    expect(positionInInstruction(ins, 0)).toEqual({ line: 2, column: 3 });
    expect(positionInInstruction(ins, ins.original.indexOf('two'))).toEqual({ line: 3, column: 5 });
  });

  it('enforces the 65535-byte line limit', () => {
    expect(tree(`FROM a\nRUN ${'x'.repeat(65531)}\n`).instructions).toHaveLength(2);
    const e = error(`FROM a\nRUN ${'x'.repeat(65532)}\n`);
    expect(e.message).toBe('dockerfile line greater than max allowed size of 65535');
    expect(e.range.start.line).toBe(2);
    // Bytes, not characters: 21846 three-byte characters are 65538 bytes.
    expect(error(`FROM a\n${'€'.repeat(21846)}\n`).message).toBe(
      'dockerfile line greater than max allowed size of 65535',
    );
  });

  it('reports unterminated heredocs and non-string JSON arrays with a hint', () => {
    const e = error('FROM a\nRUN <<EOF\necho\n');
    expect([e.message, e.range.start.line, e.hint]).toEqual([
      'unterminated heredoc',
      2,
      'no line holding only "EOF" closes the heredoc opened here; add one after its body',
    ]);
    expect(error('FROM a\nCMD ["a", 1]\n').message).toBe(
      'when using JSON array syntax, arrays must be comprised of strings only',
    );
  });

  it('falls back to shell form for invalid JSON', () => {
    const t = tree('FROM a\nCMD [\'a\']\nCMD ["a"] x\nCMD ["a"]\n');
    expect(t.instructions.slice(1).map((i) => [i.json, i.args])).toEqual([
      [false, ["['a']"]],
      [false, ['["a"] x']],
      [true, ['a']],
    ]);
  });
});
