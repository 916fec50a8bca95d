/** sha256OfFiles hashes on a worker thread and gives what hashing here gives. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sha256OfFile } from '../../src/common/hash.js';
import { sha256OfFiles } from '../../src/common/hash-pool.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-hash-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// First in the file: the threads start as they are asked for, one and then the second.
it('answers alike on one thread and on two', async () => {
  const files = ['one-a', 'one-b', 'one-c'].map((n) => path.join(dir, n));
  files.forEach((f, i) => writeFileSync(f, `file ${i}\n`));
  const one = await sha256OfFiles(files, 1);
  expect(one).toEqual(files.map((f) => sha256OfFile(f)));
  expect(await sha256OfFiles(files, 2)).toEqual(one);
});

it('hashes each file in order, undefined for one it cannot read', async () => {
  const files = ['empty', 'small', 'large'].map((n) => path.join(dir, n));
  writeFileSync(files[0]!, '');
  writeFileSync(files[1]!, 'hello\n');
  writeFileSync(files[2]!, Buffer.alloc(9 * 1024 * 1024, 7)); // more than one read buffer
  const sums = await sha256OfFiles([...files, path.join(dir, 'missing')]);
  expect(sums).toEqual([...files.map((f) => sha256OfFile(f)), undefined]);
  expect(sums[1]).toBe('5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03');
  // Requests made together are answered each with its own files.
  const [a, b] = await Promise.all([sha256OfFiles([files[1]!]), sha256OfFiles([files[0]!, files[1]!])]);
  expect(a).toEqual([sums[1]]);
  expect(b).toEqual([sums[0], sums[1]]);
  expect(await sha256OfFiles([])).toEqual([]);
});
