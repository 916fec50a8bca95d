/**
 * Differential test: our shell parser against mvdan/sh (sh-syntax) over every
 * RUN script of the real corpus. See oracle.ts for what is compared.
 */
import { expect, it } from 'vitest';
import { describeShared } from '../helpers/shared.js';
import { corpusBodies } from './corpus-bodies.js';
import { compareWithMvdan, type Disagreement } from './oracle.js';

describeShared('shell parser agrees with mvdan/sh on the corpus', () => {
  it('every RUN script', { timeout: 600_000 }, async () => {
    const bodies = corpusBodies();
    const found: Array<Disagreement & { key: string }> = [];
    let agreed = 0;
    let bothRejected = 0;
    let commands = 0;
    let words = 0;
    for (const b of bodies) {
      const r = await compareWithMvdan(b.script);
      if (r.agree) agreed++;
      if (r.bothRejected) bothRejected++;
      commands += r.simpleCommands;
      words += r.words;
      for (const d of r.disagreements) found.push({ ...d, key: `${b.file}:${b.line}` });
    }
    process.stdout.write(`differential: ${bodies.length} RUN scripts, ${agreed} agree (${bothRejected} rejected by both), ${commands} simple commands, ${words} words\n`);
    for (const d of found) process.stdout.write(`  ${d.key} @${d.offset} ${d.subject}\n      ${d.reason}\n`);
    expect(found.length).toBe(0);
  });
});
