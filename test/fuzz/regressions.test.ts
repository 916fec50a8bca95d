/**
 * Every crash `npm run fuzz` found, minimized (`npm run fuzz -- --only T
 * --minimize FILE`) and kept here as gzip+base64, so it can never come back.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crashSignature } from '../../bench/fuzz.js';
import { targetNamed } from '../../bench/fuzz-targets.js';
import { sqliteBlobs } from '../../src/track/catalogers/rpm.js';
import { SqliteError } from '../../src/track/catalogers/sqlite.js';

interface Regression {
  target: string;
  what: string;
  /** gzip, then base64. */
  input: string;
}

const REGRESSIONS: Regression[] = [
  {
    target: 'rpm-db',
    what: 'rpmdb.sqlite whose interior page cell pointer lies outside the page: a RangeError from a buffer read, reported as "The value of "offset" is out of range"',
    input: 'H4sIAAAAAAACA+3BsQ0AEABFwd/ojWAG1tCICRQkCpFg/1hConl3O6fYT3VtrlGOC7J6z0heAAAAAADgmwtGTQNGARAAAA==',
  },
];

const decode = (r: Regression): string | Buffer => {
  const raw = gunzipSync(Buffer.from(r.input, 'base64'));
  return targetNamed(r.target).kind === 'text' ? raw.toString('utf8') : raw;
};

describe('fuzz regressions', () => {
  for (const r of REGRESSIONS) {
    it(`${r.target}: ${r.what}`, () => {
      expect(crashSignature(targetNamed(r.target), decode(r))).toBeUndefined();
    });
  }

  it('the corrupt SQLite page fails as a corrupt database, with the page named', () => {
    const db = decode(REGRESSIONS[0]!) as Buffer;
    expect(() => sqliteBlobs(db.subarray(1))).toThrow(SqliteError);
    expect(() => sqliteBlobs(db.subarray(1))).toThrow(/page 1 cell .* outside the page/);
  });
});
