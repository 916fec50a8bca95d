/**
 * src/shell: word resolution against variables (known, declared-but-unknown,
 * unset), assignments and exports made by the script, the working directory,
 * and what each simple command record says about its context.
 */
import { describe, expect, it } from 'vitest';
import { analyzeScript, scopeOf, UNKNOWN_PIECE, type ShellCommand } from '../../src/shell/index.js';
import { word } from './summary.js';

function commands(script: string, variables: Record<string, string | null> = {}, workdir?: string): ShellCommand[] {
  const result = analyzeScript(
    script,
    workdir === undefined ? { variables: scopeOf(variables) } : { variables: scopeOf(variables), workdir },
  );
  expect(result.diagnostics).toEqual([]);
  return result.commands;
}

/** The argv of the last command whose name is `name`. */
function argvOf(script: string, name: string, variables: Record<string, string | null> = {}): string[] {
  const found = commands(script, variables).filter((c) => c.name === name);
  return found[found.length - 1]!.argv.slice(1).map(word);
}

describe('word resolution', () => {
  const rows: Array<[script: string, variables: Record<string, string | null>, argv: string[]]> = [
    ['echo $A "$A" x$A', { A: 'p q' }, ['p', 'q', 'p q', 'xp', 'q']],
    ['echo $U "$U" "" x$U', {}, ['', '', 'x']],
    ['echo $D "$D" ${D:-def}', { D: null }, ['?$D', '?"$D"', '?${D:-def}']],
    // ${E-def} is empty (E is set), and an unquoted empty expansion makes no field.
    ['echo ${U:-def} ${U-def} ${E:-def} ${E-def} ${A:+alt} ${U:+alt}', { A: 'v', E: '' }, ['def', 'def', 'def', 'alt']],
    ['echo ${A#*/} ${A##*/} ${A%/*} ${A%%/*} ${#A}', { A: 'a/b/c' }, ['b/c', 'c', 'a/b', 'a', '5']],
    [
      'echo ${A/o/0} ${A//o/0} ${A/#f/F} ${A/%o/O} ${A:1:3} ${A: -2} ${A^^} ${A^}',
      { A: 'foo' },
      ['f0o', 'f00', 'Foo', 'foO', 'oo', 'oo', 'FOO', 'Foo'],
    ],
    ['echo ${V%%[a-z]*} ${V//[!0-9.]/}', { V: '3.12.0rc1' }, ['3.12.0', '3.12.01']],
    [
      'echo $RANDOM $$ $1 "$@" $(date) $((1+2)) `id`',
      {},
      ['?$RANDOM', '?$$', '?$1', '?"$@"', '?$(date)', '?$((1+2))', '?`id`'],
    ],
    ['echo ~/bin ~', { HOME: '/root' }, ['/root/bin', '/root']],
    ['echo ~/bin', {}, ['?~/bin']],
    ["echo 'a b' \"c\"'d'e $'x\\ty' a\\ b", {}, ['a b', 'cde', 'x\ty', 'a b']],
    ['IFS=,; L=a,b,,c; echo $L', {}, ['a', 'b', '', 'c']],
    ['echo ${X:=set}; echo $X', {}, ['set']],
    ['a=1; b=$a$a; echo $b', {}, ['11']],
    ['P=/usr; P+=/local; echo $P', {}, ['/usr/local']],
    ['X=old; X=new echo $X', {}, ['old']],
    ['X=$(cat f); echo $X', {}, ['?$X']],
    ['read -r X Y < f; echo $X $Y $Z', { Z: 'z' }, ['?$X', '?$Y', 'z']],
    ['unset A; echo "$A"', { A: 'set' }, ['']],
    ['(X=1); echo "$X"', {}, ['']],
    ['X=1 | cat; echo "$X"', {}, ['']],
    ['{ X=1; }; echo $X', {}, ['1']],
    ['if t; then X=1; fi; echo $X', {}, ['?$X']],
    ['if t; then X=1; else X=1; fi; echo $X', {}, ['1']],
    ['case $v in a) X=1;; *) X=2;; esac; echo $X', {}, ['?$X']],
    ['for v in a b c; do :; done; echo $v', {}, ['c']],
    ['for v in a; do echo $v; done', {}, ['a']],
    ['while read l; do N=$l; done < f; echo $N', { N: 'before' }, ['?$N']],
    ['f() { X=1; }; f; echo $X', { X: 'x' }, ['?$X']],
    ['. ./env; echo $A $B', { A: 'a' }, ['?$A', '?$B']],
    ['export E=1; sh -c "echo \\$E \\$F"', {}, ['1']],
    ['E=1; sh -c "echo \\"\\$E\\""', {}, ['']],
  ];
  it.each(rows)('%s', (script, variables, argv) => {
    expect(argvOf(script, 'echo', variables)).toEqual(argv);
  });

  it('keeps what is known of a word that is not (U+FFFD for the unknown pieces)', () => {
    const [curl] = commands('curl -o "x-$V.tgz" "https://example.com/$V/x-$V.tgz"', { V: null });
    const url = curl!.argv[3]!;
    expect(url).toMatchObject({
      resolved: false,
      text: '"https://example.com/$V/x-$V.tgz"',
      reason: '$V is not known',
    });
    expect(url.partial).toBe(`https://example.com/${UNKNOWN_PIECE}/x-${UNKNOWN_PIECE}.tgz`);
  });

  it('flags globs and keeps their text', () => {
    const [rm] = commands('rm -rf /tmp/* "/q*" a\\*b');
    expect(rm!.argv.slice(2).map((w) => [w.value, w.glob === true])).toEqual([
      ['/tmp/*', true],
      ['/q*', false],
      ['a*b', false],
    ]);
  });

  it('tracks the working directory through cd, and forgets it when unknown', () => {
    const cwd = commands(
      'pwd; cd sub && pwd; cd ../other; pwd; cd "$X"; pwd; (cd /sub; pwd); pwd',
      { X: null },
      '/work',
    )
      .filter((c) => c.name === 'pwd')
      .map((c) => c.cwd);
    expect(cwd).toEqual(['/work', '/work/sub', '/work/other', undefined, '/sub', undefined]);
  });
});

describe('command records', () => {
  it('lists every simple command with its context', () => {
    const cmds = commands('f() { inner; }; if test -f x; then a | b; fi || c; echo "$(sub)" && [ -n "$Y" ] && d');
    const view = cmds.map((c) => ({
      name: c.name,
      ...(c.conditional ? { conditional: true } : {}),
      ...(c.substitution ? { substitution: true } : {}),
      ...(c.functionName ? { functionName: c.functionName } : {}),
      ...(c.pipedFrom !== undefined ? { pipedFrom: cmds[c.pipedFrom]!.name } : {}),
      ...(c.pipedTo !== undefined ? { pipedTo: cmds[c.pipedTo]!.name } : {}),
    }));
    expect(view).toEqual([
      { name: 'inner', functionName: 'f' },
      { name: 'test' },
      { name: 'a', conditional: true, pipedTo: 'b' },
      { name: 'b', conditional: true, pipedFrom: 'a' },
      { name: 'c', conditional: true },
      { name: 'sub', substitution: true },
      { name: 'echo' },
      { name: '[' },
      { name: 'd', conditional: true },
    ]);
  });

  it('records what wrappers and shells run, with the wrapper as parent', () => {
    const cmds = commands(
      'sudo -u app env A=1 nice -n 5 make; bash -c "cd /x && make install"; find . -name "*.pyc" -exec rm -f {} +',
    );
    const view = cmds.map(
      (c) =>
        `${c.index}:${c.argv.map(word).join(' ')}${c.parent !== undefined ? ` <${c.parent}` : ''}${c.runs !== undefined ? ` >${c.runs}` : ''}${c.moreArgs ? ' +args' : ''}`,
    );
    expect(view).toEqual([
      '0:sudo -u app env A=1 nice -n 5 make >1',
      '1:env A=1 nice -n 5 make <0 >2',
      '2:nice -n 5 make <1 >3',
      '3:make <2',
      '4:bash -c cd /x && make install',
      '5:cd /x <4',
      '6:make install <4',
      '7:find . -name *.pyc -exec rm -f {} + >8',
      '8:rm -f {} <7 +args',
    ]);
    expect(cmds[1]!.argv[0]!.value).toBe('env');
    expect(cmds[2]!.assignments.map((a) => [a.name, a.value.value])).toEqual([['A', '1']]);
    expect(cmds[6]!.cwd).toBe('/x');
  });

  it('gives ranges in the script, and in the Dockerfile through origin', () => {
    const script = 'apt-get install \\\n  -y curl';
    const plain = analyzeScript(script).commands[0]!;
    expect(plain.range).toEqual({ start: { line: 1, column: 1 }, end: { line: 2, column: 10 } });
    expect(plain.argv[3]!.range).toEqual({ start: { line: 2, column: 6 }, end: { line: 2, column: 10 } });
    const shifted = analyzeScript(script, { origin: (offset) => ({ line: 7, column: offset + 5 }) }).commands[0]!;
    expect(shifted.argv[0]!.range.start).toEqual({ line: 7, column: 5 });
  });

  it('points the commands of a `sh -c` string at their place in the outer script', () => {
    const script = "RUNX=1 sh -c 'apt-get install -y jq'";
    const [, inner] = analyzeScript(script).commands;
    expect(inner!.argv[3]!.range).toEqual({ start: { line: 1, column: 34 }, end: { line: 1, column: 36 } });
  });
});
