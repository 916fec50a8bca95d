import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { expandWord, lookupFrom, type EscapeChar } from '../../grammar/dockerfile/word-lexer.js';
import { conformanceDir, describeShared } from '../helpers/shared.js';

interface Vector {
  word: string;
  env: Record<string, string>;
  escape: EscapeChar;
  mode: 'word' | 'words';
  expected?: string | string[];
  error?: string;
}

describeShared('word expansion matches BuildKit (206 vectors)', () => {
  const vectors: Vector[] = JSON.parse(
    readFileSync(path.join(conformanceDir, 'word-expansion', 'vectors.json'), 'utf8'),
  );
  it('has all vectors', () => expect(vectors.length).toBe(206));
  it.each(vectors.map((v, i) => [i, JSON.stringify(v.word), v] as const))('#%i %s', (_i, _w, v) => {
    const out = expandWord(v.word, lookupFrom(v.env), { escape: v.escape });
    if (v.error !== undefined) {
      expect(out).toEqual({ ok: false, error: v.error });
      return;
    }
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(v.mode === 'word' ? out.result.value : out.result.words).toEqual(v.expected);
  });
});
