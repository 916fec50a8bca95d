/**
 * grammar/shell: golden renderings of the syntax tree, positions, and errors
 * as values (never exceptions).
 */
import { describe, expect, it } from 'vitest';
import { parseShell, type SimpleCommand } from '../../grammar/shell/index.js';
import { checkShellGrammar } from '../../grammar/shell/parser.js';
import { renderList } from './render.js';

/** [script, rendering of its syntax tree] — see render.ts for the notation. */
const GOLDEN: Array<[string, string]> = [
  ['echo hello world', '(echo hello world)'],
  ['a=1 b+=2 env', '(a=1 b+=2 env)'],
  ['x=', '(x=)'],
  ['apt-get update && apt-get install -y curl || exit 1', '(apt-get update) && (apt-get install -y curl) || (exit 1)'],
  ['a | b |& c', '(a) | (b) |& (c)'],
  ['! a && time b', '! (a) && time (b)'],
  ['sleep 1 & wait', '(sleep 1) &; (wait)'],
  ['a; b\nc', '(a); (b); (c)'],
  ['( cd /x && make ); { a; b; } > log 2>&1', 'subshell{(cd /x) && (make)}; group{(a); (b)} >log 2>&1'],
  ['if a; then b; elif c; then d; else e; fi', 'if{(a)}then{(b)}elif{(c)}then{(d)}else{(e)}'],
  ['for f in *.tar.gz; do tar xf "$f"; done', 'for f in [*.tar.gz<glob>]{(tar xf "${f}")}'],
  ['for x; do y; done', 'for x{(y)}'],
  ['for ((i=0; i<3; i++)); do echo $i; done', 'for((i=0; i<3; i++)){(echo ${i})}'],
  ['while read l; do echo "$l"; done < f', 'while{(read l)}do{(echo "${l}")} <f'],
  ['until a; do b; done', 'until{(a)}do{(b)}'],
  ['case "$A" in a|b) x;; (c) y;& *) z;; esac', 'case "${A}"{a|b)(x);; c)(y);& *<glob>)(z);;}'],
  ['f() { echo hi; }', 'function f group{(echo hi)}'],
  ['function g { x; } >out', 'function g group{(x)} >out'],
  ['[[ -f x && $y == z ]]', '[[ -f x ${y} == z ]]'],
  ['(( n += 1 ))', '(( n += 1 ))'],
  ['echo "a $b ${c:-d e} $(f g) `h` $((1+2))"', '(echo "a ${b} ${c:-d e} $[(f g)] `(h)` $((1+2))")'],
  ["echo 'single' $'tab\\there' $\"loc\"", "(echo 'single' $'tab\there' \"loc\")"],
  [
    'echo ${#x} ${x#*/} ${x%%.*} ${x/a/b} ${x//a/b} ${!p} ${a[1]} ${x:1:2} ${x^^}',
    '(echo ${#x} ${x#*/<glob>} ${x%%.*<glob>} ${x/a/b} ${x//a/b} ${!p} ${a[1]} ${x:1:2} ${x^^})',
  ],
  ['echo ~ ~/bin ~root/x a~b', '(echo ~<tilde> ~<tilde>/bin ~root<tilde>/x a~b)'],
  ['echo *.txt [ab] {a,b} a\\*b "*"', '(echo *.txt<glob> [ab]<glob> {a,b}<brace> a*b "*")'],
  ['cat <<EOF\nhello $name\nEOF', '(cat <<EOF<<"hello ${name}\\n">>)'],
  ["cat <<'EOF' > f\nno $expansion\nEOF", '(cat <<\'EOF\'<<quoted "no $expansion\\n">> >f)'],
  ['cat <<-EOF\n\tindented\n\tEOF', '(cat <<-EOF<<"indented\\n">>)'],
  ['cat <<<"here string"', '(cat <<<"here string")'],
  [
    'cmd 2>/dev/null 3>&1 >&2 &>all &>>more <in <>rw >|clobber',
    '(cmd 2>/dev/null 3>&1 >&2 &>all &>>more <in <>rw >|clobber)',
  ],
  ['diff <(sort a) >(cat)', '(diff <[(sort a)] >[(cat)])'],
  ['echo a\\\nb \\\n c', '(echo ab c)'],
  ['echo a # comment\n# whole line\necho b', '(echo a); (echo b)'],
  ['x=$(case $y in a) echo 1;; esac)', '(x=$[case ${y}{a)(echo 1);;}])'],
  ['echo $(echo $(echo deep))', '(echo $[(echo $[(echo deep)])])'],
  ['echo done fi then', '(echo done fi then)'],
  ['echo "quoted \\"inner\\" \\$x"', '(echo "quoted "inner" $x")'],
];

describe('syntax tree', () => {
  it("passes Chevrotain's definition checks (skipped at start-up)", () => {
    expect(() => checkShellGrammar()).not.toThrow();
  });

  it.each(GOLDEN)('%j', (script, rendered) => {
    const parsed = parseShell(script);
    expect(parsed.errors).toEqual([]);
    expect(renderList(parsed.body)).toBe(rendered);
  });

  it('keeps offsets of the outer script inside substitutions and heredocs', () => {
    const script = 'a\n  b "$(c d)" <<EOF\nx $(e)\nEOF';
    const parsed = parseShell(script);
    const b = parsed.body[1]!.pipelines[0]!.commands[0] as SimpleCommand;
    const quoted = b.words[1]!.parts[0]!;
    expect(quoted.kind).toBe('DoubleQuoted');
    const sub = quoted.kind === 'DoubleQuoted' ? quoted.parts[0]! : quoted;
    expect(sub.kind).toBe('CommandSubstitution');
    const c =
      sub.kind === 'CommandSubstitution' ? (sub.body[0]!.pipelines[0]!.commands[0] as SimpleCommand) : undefined;
    expect(script.slice(c!.start, c!.end)).toBe('c d');
    expect(parsed.positionAt(c!.start)).toEqual({ line: 2, column: 8 });
    const heredoc = b.redirects[0]!.heredoc!;
    expect(script.slice(heredoc.start, heredoc.end)).toBe('x $(e)\n');
    const inner = heredoc.content.parts.find((p) => p.kind === 'CommandSubstitution');
    expect(inner && inner.kind === 'CommandSubstitution' ? parsed.positionAt(inner.body[0]!.start) : undefined).toEqual(
      { line: 3, column: 5 },
    );
  });

  it('maps words inside backquotes back to the script', () => {
    const script = 'echo `ls \\`pwd\\` x`';
    const parsed = parseShell(script);
    const echo = parsed.body[0]!.pipelines[0]!.commands[0] as SimpleCommand;
    const bq = echo.words[1]!.parts[0]!;
    if (bq.kind !== 'CommandSubstitution') throw new Error('expected a substitution');
    const ls = bq.body[0]!.pipelines[0]!.commands[0] as SimpleCommand;
    expect(ls.words.map((w) => w.text)).toEqual(['ls', '`pwd`', 'x']);
    expect(script.slice(ls.words[2]!.start, ls.words[2]!.end)).toBe('x');
    // An escaped character maps to the character itself, after its backslash.
    expect(script.slice(ls.words[1]!.start, ls.words[1]!.end)).toBe('`pwd\\`');
  });

  it('keeps a word made of a keyword as a plain word after the command name', () => {
    const parsed = parseShell('for x in do done; do echo do; done');
    expect(renderList(parsed.body)).toBe('for x in [do done]{(echo do)}');
  });
});

describe('errors are values with line and column', () => {
  const cases: Array<[string, string, number, number]> = [
    ['if true; then echo', 'expected `fi` but found the end of the script', 1, 19],
    ['echo "unclosed', 'unclosed double quote: no matching `"`', 1, 6],
    ["echo ok\necho 'x", "unclosed single quote: no matching `'`", 2, 6],
    ['echo $(date', 'unclosed command substitution: no matching `)`', 1, 6],
    ['echo ${', 'bad substitution: `${` must be followed by a parameter name', 1, 6],
    ['a &&', 'unexpected the end of the script after `&&`', 1, 5],
    ['fi', 'unexpected `fi`', 1, 1],
    ['{ echo }', 'expected `}` but found the end of the script', 1, 9],
    // As in bash, `name (` starts a function definition.
    ['echo (', 'expected `)` but found the end of the script', 1, 7],
    ['cat <<EOF\nbody', 'unterminated heredoc: no line holding only "EOF" closes it', 2, 1],
    ['while true; done', 'unexpected `done` after `;`', 1, 13],
    ['while done', 'expected a command after `while` but found `done`', 1, 7],
    ['case x in a) b;; c', 'expected `)` but found the end of the script', 1, 19],
  ];
  it.each(cases)('%j', (script, message, line, column) => {
    const parsed = parseShell(script);
    expect(parsed.errors[0]).toMatchObject({ message, line, column });
  });

  it('resumes at the next line, so one bad line does not hide the others', () => {
    const parsed = parseShell('echo a\nfi oops\necho b');
    expect(parsed.errors.map((e) => e.line)).toEqual([2]);
    expect(renderList(parsed.body)).toBe('(echo a); (echo b)');
    expect(parsed.skipped).toEqual([{ start: 6, end: 14 }]);
  });

  it('reports nesting beyond its limits instead of overflowing the stack', () => {
    const deep = '$('.repeat(200) + 'x' + ')'.repeat(200);
    expect(parseShell(`echo ${deep}`).errors[0]?.message).toMatch(/nested more than \d+ deep/);
    // Subshells in subshells: chevrotain recurses per level until the stack runs out.
    const parens = '( '.repeat(20000) + 'x' + ' )'.repeat(20000);
    const parsed = parseShell(parens);
    expect(parsed.errors[0]?.message).toBe('script is nested too deeply to analyse');
    // The parser is usable afterwards.
    expect(renderList(parseShell('( ( x ) )').body)).toBe('subshell{subshell{(x)}}');
  });
});
