/**
 * The package verification code of SPDX 2.3 §7.9: the SHA-1 values of the
 * package's files (less the excluded ones) as lower-case hex, sorted
 * ascending, concatenated without separators; the SHA-1 of that string, in
 * lower-case hex.
 */
import { createHash } from 'node:crypto';

const SHA1_HEX = /^[0-9a-f]{40}$/;

/** `sha1s`: one SHA-1 per file of the package, in any order; duplicates count once per file. */
export function packageVerificationCode(sha1s: Iterable<string>): string {
  const list = [...sha1s].map((s) => s.toLowerCase());
  for (const s of list) if (!SHA1_HEX.test(s)) throw new Error(`internal: not a SHA-1 hex digest: ${s}`);
  list.sort();
  return createHash('sha1').update(list.join(''), 'ascii').digest('hex');
}
