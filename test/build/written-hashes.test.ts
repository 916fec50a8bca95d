/** Hashing what a RUN writes while it runs: only hashes still true once it ended are taken. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WrittenFileHasher, sharedWritableFiles, sharedWritableMappings } from '../../src/build/written-hashes.js';

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'scannable-written-'));
  tmp.push(d);
  return d;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the hasher has hashed `n` files (timers run late on a loaded machine). */
async function hashedAtLeast(h: WrittenFileHasher, n: number): Promise<void> {
  for (let i = 0; i < 200 && h.hashedCount < n; i++) await sleep(25);
  expect(h.hashedCount).toBeGreaterThanOrEqual(n);
}

describe('WrittenFileHasher', () => {
  it('hashes settled files, with the size and whole-second mtime a committed layer shows', async () => {
    const d = dir();
    mkdirSync(path.join(d, 'usr', 'bin'), { recursive: true });
    writeFileSync(path.join(d, 'usr', 'bin', 'tool'), 'tool v1\n');
    utimesSync(path.join(d, 'usr', 'bin', 'tool'), 1700000000.75, 1700000000.75);
    writeFileSync(path.join(d, 'top'), '');
    const h = new WrittenFileHasher(d, () => new Set(), { settleMs: 20, intervalMs: 20 });
    await hashedAtLeast(h, 2);
    const known = await h.finish();
    expect(known.get('/usr/bin/tool')).toEqual({ size: 8, mtime: 1700000000, sha256: sha256('tool v1\n') });
    expect(known.get('/top')?.sha256).toBe(sha256(''));
    expect([...known.keys()].sort()).toEqual(['/top', '/usr/bin/tool']);
  });

  it('does not hash files the script is expected to remove', async () => {
    const d = dir();
    mkdirSync(path.join(d, 'var', 'lib', 'apt', 'lists'), { recursive: true });
    writeFileSync(path.join(d, 'var', 'lib', 'apt', 'lists', 'Packages'), 'a big list\n');
    writeFileSync(path.join(d, 'kept'), 'kept\n');
    const h = new WrittenFileHasher(d, () => new Set(), {
      settleMs: 20,
      intervalMs: 20,
      removed: (p) => p.startsWith('/var/lib/apt/lists/'),
    });
    await hashedAtLeast(h, 1);
    // A few more rounds: the list is still not taken.
    await sleep(100);
    const known = await h.finish();
    expect([...known.keys()]).toEqual(['/kept']);
  });

  it('drops a hash once the file changed, even with its size and mtime put back', async () => {
    const d = dir();
    const f = path.join(d, 'state.bin');
    writeFileSync(f, 'aaaa');
    utimesSync(f, 1700000000, 1700000000);
    const h = new WrittenFileHasher(d, () => new Set(), { settleMs: 20, intervalMs: 20 });
    await hashedAtLeast(h, 1);
    // Same size, same mtime, same inode: only the ctime tells.
    writeFileSync(f, 'bbbb');
    utimesSync(f, 1700000000, 1700000000);
    const known = await h.finish();
    const taken = known.get('/state.bin');
    // Either not taken, or hashed again after the change: never the old content's hash.
    if (taken) expect(taken.sha256).toBe(sha256('bbbb'));
    expect(taken?.sha256).not.toBe(sha256('aaaa'));
  });

  it('leaves out files deleted or replaced after they were hashed, and files too new to trust', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'gone'), 'x');
    writeFileSync(path.join(d, 'replaced'), 'old');
    const h = new WrittenFileHasher(d, () => new Set(), { settleMs: 20, intervalMs: 20 });
    await hashedAtLeast(h, 2);
    unlinkSync(path.join(d, 'gone'));
    writeFileSync(path.join(d, 'new'), 'new');
    renameSync(path.join(d, 'new'), path.join(d, 'replaced'));
    writeFileSync(path.join(d, 'fresh'), 'fresh');
    const known = await h.finish();
    expect(known.has('/gone')).toBe(false);
    expect(known.get('/replaced')?.sha256).not.toBe(sha256('old'));
    expect(known.has('/fresh')).toBe(false); // written just now: its ctime is younger than the settling time
    expect(statSync(path.join(d, 'replaced')).size).toBe(3);
  });

  it('does not hash a file a process has mapped shared and writable (its writes need not stamp it), nor anything when that is unknown', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'mapped.db'), 'db');
    writeFileSync(path.join(d, 'plain'), 'plain');
    const mapped = new WrittenFileHasher(d, () => new Set(['/mapped.db']), { settleMs: 20, intervalMs: 20 });
    await hashedAtLeast(mapped, 1);
    await sleep(100);
    expect([...(await mapped.finish()).keys()]).toEqual(['/plain']);
    const unknown = new WrittenFileHasher(d, () => undefined, { settleMs: 20, intervalMs: 20 });
    await sleep(150);
    expect(unknown.hashedCount).toBe(0);
    expect((await unknown.finish()).size).toBe(0);
  });

  it('reads shared writable mappings from a maps text; finds none for a container that does not exist', () => {
    const maps = [
      '7f1c2a000000-7f1c2a021000 rw-s 00000000 fd:01 1234                       /var/cache/app/db.bin',
      '7f1c2a021000-7f1c2a042000 r--s 00000000 fd:01 1235                       /var/cache/app/read-only.bin',
      '7f1c2a042000-7f1c2a063000 rw-p 00000000 fd:01 1236                       /usr/lib/libx.so',
      '7f1c2a063000-7f1c2a084000 rw-s 00000000 fd:01 1237                       /tmp/old state (deleted)',
      '7f1c2a084000-7f1c2a0a5000 rw-s 00000000 fd:01 1238                       /tmp/with space.bin',
      '7f1c2a0a5000-7f1c2a0c6000 rw-s 00000000 00:00 0 ',
      '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]',
    ].join('\n');
    expect(sharedWritableFiles(maps)).toEqual(['/var/cache/app/db.bin', '/tmp/old state', '/tmp/with space.bin']);
    expect(sharedWritableMappings('f'.repeat(64))).toEqual(new Set());
  });

  it('hashes nothing once stopped', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'a'), 'a');
    const h = new WrittenFileHasher(d, () => new Set(), { settleMs: 0, intervalMs: 20 });
    h.stop();
    await sleep(150);
    expect(h.hashedCount).toBe(0);
  });
});
