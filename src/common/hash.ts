/** sha256 of files on disk, and reading part of one. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** Fills `buf` from `position` of an open file, as far as the file goes; the number of bytes read. */
export function readAt(fd: number, buf: Buffer, position: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Up to `length` bytes of a file from `offset` (fewer at its end). */
export function readRangeOf(file: string, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(Math.max(0, length));
  const fd = openSync(file, 'r');
  try {
    const done = readAt(fd, buf, offset);
    return done === buf.length ? buf : buf.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** Hex sha256 of a file, read in 4 MiB pieces so that a large file never sits in memory whole. */
export function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null))
      hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
