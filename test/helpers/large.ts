/** Large build contexts for tests: many small files in directories of 1,000. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** `n` files `dNNN/fNNNNNN.txt` holding "file <i>\n". */
export function makeManyFiles(dir: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const sub = path.join(dir, `d${String(Math.floor(i / 1000)).padStart(3, '0')}`);
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `f${String(i).padStart(6, '0')}.txt`), `file ${i}\n`);
  }
}
