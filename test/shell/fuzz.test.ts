/**
 * Property tests: the shell parser and the analysis never throw and never
 * hang, on random text, random token soup, and real RUN scripts mutated at
 * random (the corpus scripts are the seeds).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShell } from '../../grammar/shell/index.js';
import { analyzeScript } from '../../src/shell/index.js';
import { describeShared } from '../helpers/shared.js';
import { corpusBodies } from './corpus-bodies.js';

/** Generous: a run takes milliseconds; this only catches a hang or a blow-up. */
const MAX_MS = 3000;

function survives(script: string): void {
  const started = performance.now();
  const parsed = parseShell(script);
  for (const e of parsed.errors) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(typeof e.message).toBe('string');
  }
  const analysis = analyzeScript(script);
  for (const c of analysis.commands) expect(c.range.start.line).toBeGreaterThanOrEqual(1);
  expect(performance.now() - started).toBeLessThan(MAX_MS);
}

const SHELL_CHARS = [...' \t\n\\\'"`$(){}[]|&;<>#*?=~!-_/.:,%^@+0123456789abcxyzEOF'];
const TOKENS = [
  'if',
  'then',
  'elif',
  'else',
  'fi',
  'for',
  'in',
  'do',
  'done',
  'while',
  'until',
  'case',
  'esac',
  'function',
  '{',
  '}',
  '!',
  '[[',
  ']]',
  'time',
  '(',
  ')',
  '((',
  '))',
  '$(',
  '${',
  '}',
  '$((',
  '`',
  '"',
  "'",
  "$'",
  '<<EOF',
  '<<-EOF',
  "<<'EOF'",
  'EOF',
  '<<<',
  '>',
  '>>',
  '2>&1',
  '&>',
  '<(',
  '>(',
  '|',
  '|&',
  '&&',
  '||',
  ';',
  ';;',
  ';&',
  '&',
  '\n',
  '\\\n',
  '#',
  'a=1',
  'x',
  '$x',
  '"$x"',
  'curl',
  'sh',
  '-c',
  'apt-get',
  'install',
  '-y',
  'tar',
  'xzf',
  'sudo',
  'env',
  'xargs',
  'eval',
  '.',
  'cd',
  'export',
  'git',
  'clone',
  'rm',
  '-rf',
  '/var/lib/dpkg',
  '*',
];

describe('never throws, never hangs', () => {
  it('on random text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...SHELL_CHARS), { maxLength: 400 }).map((a) => a.join('')),
        survives,
      ),
      { numRuns: 400 },
    );
  });

  it('on arbitrary unicode', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), survives), { numRuns: 200 });
  });

  it('on token soup', () => {
    const soup = fc
      .array(fc.constantFrom(...TOKENS), { maxLength: 120 })
      .chain((tokens) =>
        fc
          .array(fc.constantFrom(' ', '', '\n', '  '), { minLength: tokens.length, maxLength: tokens.length })
          .map((seps) => tokens.map((t, i) => t + seps[i]).join('')),
      );
    fc.assert(fc.property(soup, survives), { numRuns: 400 });
  });

  it('on deep and long inputs', () => {
    for (const script of [
      '$('.repeat(5000),
      '"$('.repeat(2000),
      '${'.repeat(5000),
      '`'.repeat(3001),
      '{ '.repeat(3000),
      'if a; then '.repeat(2000),
      '<<EOF '.repeat(2000) + '\n',
      'a | '.repeat(5000) + 'b',
      '[[[[['.repeat(2000),
      '{a,'.repeat(3000),
      'echo ' + 'x'.repeat(200_000),
      ')'.repeat(5000),
    ]) {
      survives(script);
    }
  });
});

/** A few real-world shapes, so that mutation also runs without ../shared. */
const SEEDS = [
  'set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates curl; rm -rf /var/lib/apt/lists/*',
  'curl -fsSL "https://example.com/v$V/x.tgz" -o x.tgz && echo "$SHA *x.tgz" | sha256sum -c - && tar -xzf x.tgz -C /usr/local --strip-components=1',
  'case "$(dpkg --print-architecture)" in amd64) A=x64;; arm64) A=arm64;; *) echo "unsupported"; exit 1;; esac',
  'for key in $KEYS; do gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$key"; done; cat <<EOF > /etc/x\n$A\nEOF',
];

function mutated(seeds: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.record({
    at: fc.nat(),
    length: fc.nat({ max: 40 }),
    insert: fc.oneof(fc.constantFrom(...TOKENS), fc.constantFrom(...SHELL_CHARS), fc.constant('')),
    op: fc.constantFrom('insert', 'delete', 'replace', 'duplicate'),
  });
  return fc.tuple(seeds, fc.array(edit, { minLength: 1, maxLength: 8 })).map(([seed, edits]) => {
    let s = seed;
    for (const e of edits) {
      const at = s.length === 0 ? 0 : e.at % (s.length + 1);
      if (e.op === 'insert') s = s.slice(0, at) + e.insert + s.slice(at);
      else if (e.op === 'delete') s = s.slice(0, at) + s.slice(at + e.length);
      else if (e.op === 'replace') s = s.slice(0, at) + e.insert + s.slice(at + e.length);
      else s = s.slice(0, at + e.length) + s.slice(at, at + e.length) + s.slice(at + e.length);
    }
    return s;
  });
}

describe('mutated real scripts', () => {
  it('built-in seeds', () => {
    fc.assert(fc.property(mutated(fc.constantFrom(...SEEDS)), survives), { numRuns: 300 });
  });
});

describeShared('mutated corpus RUN scripts', () => {
  it('corpus seeds', () => {
    const bodies = corpusBodies().map((b) => b.script);
    expect(bodies.length).toBeGreaterThan(1000);
    fc.assert(fc.property(mutated(fc.constantFrom(...bodies)), survives), { numRuns: 400 });
  });
});
