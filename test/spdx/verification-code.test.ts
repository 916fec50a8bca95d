import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { packageVerificationCode } from '../../src/spdx/verification-code.js';

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

describe('packageVerificationCode (SPDX 2.3 §7.9)', () => {
  it('is the SHA-1 of the sorted, concatenated file SHA-1s', () => {
    // sha1("a\n") = 3f78…, sha1("b\n") = 89e6…; the code is sha1 of "3f78…89e6…".
    expect(packageVerificationCode([sha1('b\n'), sha1('a\n')])).toBe('2c04f768f5cbc20d7a1b7ab18523a6609425dbd8');
    expect(packageVerificationCode([sha1('a\n'), sha1('b\n')])).toBe('2c04f768f5cbc20d7a1b7ab18523a6609425dbd8');
  });

  it('takes upper-case digests as lower case, keeps duplicates, and gives sha1("") for no files', () => {
    const a = sha1('a\n');
    expect(packageVerificationCode([a.toUpperCase(), sha1('b\n')])).toBe('2c04f768f5cbc20d7a1b7ab18523a6609425dbd8');
    expect(packageVerificationCode([a, a])).toBe(sha1(a + a));
    expect(packageVerificationCode([])).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });

  it('refuses what is not a SHA-1 digest', () => {
    expect(() => packageVerificationCode(['abc'])).toThrow(/not a SHA-1/);
    expect(() => packageVerificationCode(['e'.repeat(64)])).toThrow(/not a SHA-1/);
  });
});
