/**
 * rpm: the package database in any of its three backends, each a container
 * of RPM header blobs (rpm's own index-entries-plus-data-store format):
 *   - sqlite (rpm >= 4.16): rpmdb.sqlite, table Packages(hnum, blob);
 *   - Berkeley DB hash (older rpm): Packages, headers as hash values;
 *   - ndb (SUSE): Packages.db, a slot table pointing at "BlbS" blobs.
 * Read with our own readers, so no native module or rpm binary is needed.
 */
import type { FileEntry, SnapshotFs } from '../../snapshot/fs.js';
import { mapDeclaredLicense } from '../licenses/declared.js';
import { newPackage, type Package } from '../package.js';
import { rpmPurl } from '../purl.js';
import { SqliteError, SqliteFile } from './sqlite.js';
import type { Cataloger, ParseResult, Problem } from './types.js';
import { MiB, osRelease } from './util.js';

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  URL: 1020,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILEDIGESTS: 1035,
  SOURCERPM: 1044,
  REQUIRENAME: 1049,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  FILEDIGESTALGO: 5011,
} as const;

export type RpmValue = string | string[] | number[] | Buffer;

/** Hard limits rpm itself applies to headers (index entries, data size). */
const MAX_INDEX = 0xffff;
const MAX_DATA = 256 * MiB;
const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);

export class RpmHeaderError extends Error {}

/** Parse one header blob: il, dl, il index entries {tag, type, offset, count}, then the data store. */
export function parseRpmHeader(blob: Buffer): Map<number, RpmValue> {
  let b = blob;
  if (b.length >= 16 && b.subarray(0, 8).equals(HEADER_MAGIC)) b = b.subarray(8);
  if (b.length < 8) throw new RpmHeaderError('header shorter than 8 bytes');
  const il = b.readUInt32BE(0);
  const dl = b.readUInt32BE(4);
  if (il > MAX_INDEX || dl > MAX_DATA) throw new RpmHeaderError(`header sizes out of range (il=${il}, dl=${dl})`);
  const dataStart = 8 + il * 16;
  if (dataStart + dl > b.length) throw new RpmHeaderError('header truncated');
  const store = b.subarray(dataStart, dataStart + dl);
  const out = new Map<number, RpmValue>();
  const cstr = (off: number): { s: string; next: number } => {
    const end = store.indexOf(0, off);
    if (off >= store.length || end < 0) throw new RpmHeaderError('string runs past the data store');
    return { s: store.toString('utf8', off, end), next: end + 1 };
  };
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = b.readInt32BE(e);
    const type = b.readUInt32BE(e + 4);
    const off = b.readInt32BE(e + 8);
    const count = b.readUInt32BE(e + 12);
    if (off < 0 || off > dl || count > dl + 1) throw new RpmHeaderError(`entry ${tag} out of range`);
    switch (type) {
      case 6: // STRING
        out.set(tag, cstr(off).s);
        break;
      case 8: // STRING_ARRAY
      case 9: {
        // I18NSTRING: first is the untranslated text
        const list: string[] = [];
        let p = off;
        for (let k = 0; k < count; k++) {
          const r = cstr(p);
          list.push(r.s);
          p = r.next;
        }
        out.set(tag, type === 9 ? (list[0] ?? '') : list);
        break;
      }
      case 2: // INT8
      case 3: // INT16
      case 4: {
        // INT32
        const size = type === 4 ? 4 : type === 3 ? 2 : 1;
        if (off + size * count > dl) throw new RpmHeaderError(`entry ${tag} runs past the data store`);
        const nums: number[] = [];
        for (let k = 0; k < count; k++) {
          const o = off + k * size;
          nums.push(size === 4 ? store.readUInt32BE(o) : size === 2 ? store.readUInt16BE(o) : store[o]!);
        }
        out.set(tag, nums);
        break;
      }
      case 7: // BIN
        if (off + count > dl) throw new RpmHeaderError(`entry ${tag} runs past the data store`);
        out.set(tag, store.subarray(off, off + count));
        break;
      default:
        // NULL, CHAR, INT64: nothing we read.
        break;
    }
  }
  return out;
}

const str = (h: Map<number, RpmValue>, t: number): string | undefined => {
  const v = h.get(t);
  return typeof v === 'string' && v !== '' && v !== '(none)' ? v : undefined;
};
const strs = (h: Map<number, RpmValue>, t: number): string[] => {
  const v = h.get(t);
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : [];
};
const nums = (h: Map<number, RpmValue>, t: number): number[] => {
  const v = h.get(t);
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : [];
};

const DIGEST_ALGO: Record<number, string> = { 1: 'md5', 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512' };

/** "name-version-release.src.rpm" -> { name, version: "version-release" }. */
export function parseSourceRpm(s: string): { name: string; version?: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(s);
  return m ? { name: m[1]!, version: `${m[2]}-${m[3]}` } : undefined;
}

/** One Package from a parsed header. */
export function rpmPackage(h: Map<number, RpmValue>, metadataPath: string, fs: SnapshotFs): Package | undefined {
  const name = str(h, RPMTAG.NAME);
  if (!name || name === 'gpg-pubkey') return undefined; // imported signing keys are headers too, not packages
  const version = str(h, RPMTAG.VERSION);
  const release = str(h, RPMTAG.RELEASE);
  const epoch = nums(h, RPMTAG.EPOCH)[0];
  const arch = str(h, RPMTAG.ARCH);
  const vendor = str(h, RPMTAG.VENDOR);
  const os = osRelease(fs);
  const namespace = os.id ?? (vendor ? vendor.split(/[\s,]/)[0]!.toLowerCase() : 'rpm');
  const sourceRpm = str(h, RPMTAG.SOURCERPM);
  const pkg = newPackage({
    ecosystem: 'rpm',
    name,
    version: version === undefined ? undefined : release ? `${version}-${release}` : version,
    arch,
    purl: rpmPurl({ vendor: namespace, name, version, release, epoch, arch, distro: os.distro }),
    metadataPath,
    supplier: vendor ?? str(h, RPMTAG.PACKAGER),
    homepage: str(h, RPMTAG.URL),
    source: sourceRpm ? parseSourceRpm(sourceRpm) : undefined,
    dependencies: [
      ...new Set(strs(h, RPMTAG.REQUIRENAME).filter((r) => !r.startsWith('rpmlib(') && !r.startsWith('/'))),
    ],
  });
  if (epoch !== undefined) pkg.properties.epoch = String(epoch);
  if (sourceRpm) pkg.properties.sourcerpm = sourceRpm;
  const lic = str(h, RPMTAG.LICENSE);
  if (lic) {
    const m = mapDeclaredLicense(lic);
    pkg.licenses.push({
      expression: m.expression,
      original: lic,
      path: metadataPath,
      field: 'LICENSE',
      confidence: 'declared',
    });
    pkg.licenseExpression = m.expression;
  } else pkg.licenseUnknownReason = 'header has no LICENSE tag';

  const dirs = strs(h, RPMTAG.DIRNAMES);
  const bases = strs(h, RPMTAG.BASENAMES);
  const idx = nums(h, RPMTAG.DIRINDEXES);
  const files = bases.length ? bases.map((b, i) => (dirs[idx[i] ?? -1] ?? '') + b) : strs(h, RPMTAG.OLDFILENAMES);
  pkg.files = files.filter((f) => f.startsWith('/'));
  const digests = strs(h, RPMTAG.FILEDIGESTS);
  const algo = DIGEST_ALGO[nums(h, RPMTAG.FILEDIGESTALGO)[0] ?? 1];
  if (algo && digests.length === files.length) {
    const d: Record<string, string> = {};
    files.forEach((f, i) => {
      if (digests[i]) d[f] = `${algo}:${digests[i]}`;
    });
    if (Object.keys(d).length) pkg.fileDigests = d;
  }
  return pkg;
}

/** Header blobs of an rpmdb.sqlite (plus its -wal when present). */
export function sqliteBlobs(db: Buffer, wal?: Buffer): Buffer[] {
  const f = new SqliteFile(db, wal);
  const root = f.tableRoot('Packages');
  if (root === undefined) throw new SqliteError('no Packages table');
  const out: Buffer[] = [];
  for (const { values } of f.rows(root)) {
    const blob = values.find((v): v is Buffer => Buffer.isBuffer(v));
    if (blob) out.push(blob);
  }
  return out;
}

/** Header blobs of an ndb Packages.db: header "RpmP", 16-byte "Slot" entries, "BlbS" blobs. */
export function ndbBlobs(buf: Buffer): Buffer[] {
  if (buf.length < 32 || buf.toString('latin1', 0, 4) !== 'RpmP') throw new RpmHeaderError('not an ndb Packages.db');
  const slotPages = buf.readUInt32LE(12);
  const end = Math.min(buf.length, slotPages * 4096);
  const out: Buffer[] = [];
  for (let o = 32; o + 16 <= end; o += 16) {
    if (buf.toString('latin1', o, o + 4) !== 'Slot') throw new RpmHeaderError(`bad slot at ${o}`);
    const pkgidx = buf.readUInt32LE(o + 4);
    const blkoff = buf.readUInt32LE(o + 8);
    if (blkoff === 0) continue;
    const at = blkoff * 16;
    if (at + 16 > buf.length || buf.toString('latin1', at, at + 4) !== 'BlbS' || buf.readUInt32LE(at + 4) !== pkgidx) {
      throw new RpmHeaderError(`slot for package ${pkgidx} points at no blob`);
    }
    const len = buf.readUInt32LE(at + 12);
    if (at + 16 + len > buf.length) throw new RpmHeaderError(`blob of package ${pkgidx} truncated`);
    out.push(buf.subarray(at + 16, at + 16 + len));
  }
  return out;
}

/**
 * Header blobs of a Berkeley DB hash database: every hash page's data items,
 * inline or in overflow page chains. Byte order comes from the metadata magic.
 */
export function bdbHashBlobs(buf: Buffer): Buffer[] {
  if (buf.length < 512) throw new RpmHeaderError('not a Berkeley DB file');
  const HASH_MAGIC = 0x061561;
  let le = true;
  if (buf.readUInt32LE(12) !== HASH_MAGIC) {
    if (buf.readUInt32BE(12) !== HASH_MAGIC) {
      if (buf.readUInt32LE(12) === 0x053162 || buf.readUInt32BE(12) === 0x053162)
        throw new RpmHeaderError('Berkeley DB btree databases are not supported');
      throw new RpmHeaderError('not a Berkeley DB hash database');
    }
    le = false;
  }
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    throw new RpmHeaderError(`bad page size ${pageSize}`);
  if (buf[24] !== 0) throw new RpmHeaderError('encrypted Berkeley DB');
  const lastPage = Math.min(u32(32), Math.floor(buf.length / pageSize) - 1);
  const P_HASH_UNSORTED = 2;
  const P_OVERFLOW = 7;
  const P_HASH = 13;
  const H_KEYDATA = 1;
  const H_OFFPAGE = 3;
  const out: Buffer[] = [];
  const overflow = (pgno: number, total: number): Buffer => {
    const parts: Buffer[] = [];
    let got = 0;
    const seen = new Set<number>();
    while (got < total) {
      if (pgno === 0 || pgno > lastPage || seen.has(pgno)) throw new RpmHeaderError('broken overflow chain');
      seen.add(pgno);
      const p = pgno * pageSize;
      if (buf[p + 25] !== P_OVERFLOW) throw new RpmHeaderError(`page ${pgno} is not an overflow page`);
      const len = Math.min(u16(p + 22), pageSize - 26, total - got);
      parts.push(buf.subarray(p + 26, p + 26 + len));
      got += len;
      pgno = u32(p + 16);
    }
    return Buffer.concat(parts, total);
  };
  for (let pg = 1; pg <= lastPage; pg++) {
    const p = pg * pageSize;
    const type = buf[p + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(p + 20);
    if (26 + entries * 2 > pageSize) throw new RpmHeaderError(`page ${pg} has too many entries`);
    const offsets: number[] = [];
    for (let i = 0; i < entries; i++) offsets.push(u16(p + 26 + i * 2));
    // Items are stored from the end of the page backwards; item i ends where item i-1 begins.
    for (let i = 1; i < entries; i += 2) {
      const start = offsets[i]!;
      const stop = offsets[i - 1]!;
      if (start >= pageSize || stop > pageSize || start >= stop)
        throw new RpmHeaderError(`page ${pg} item ${i} out of range`);
      const kind = buf[p + start];
      if (kind === H_KEYDATA) out.push(buf.subarray(p + start + 1, p + stop));
      else if (kind === H_OFFPAGE) {
        if (start + 12 > pageSize) throw new RpmHeaderError(`page ${pg} item ${i} runs past the page`);
        out.push(overflow(u32(p + start + 4), u32(p + start + 8)));
      }
    }
  }
  return out;
}

export function parseRpmDb(file: FileEntry, fs: SnapshotFs): ParseResult {
  const problems: Problem[] = [];
  const packages: Package[] = [];
  if (file.size > 2048 * MiB)
    return { packages, problems: [{ path: file.path, reason: 'rpm database larger than 2 GiB; not read' }] };
  const buf = fs.readFile(file.path);
  if (!buf) return { packages, problems: [{ path: file.path, reason: 'could not be read' }] };
  let blobs: Buffer[];
  try {
    if (file.path.endsWith('.sqlite')) {
      const wal = fs.readFile(file.path + '-wal');
      blobs = sqliteBlobs(buf, wal && wal.length > 0 ? wal : undefined);
    } else if (file.path.endsWith('Packages.db')) {
      blobs = ndbBlobs(buf);
    } else {
      blobs = bdbHashBlobs(buf);
    }
  } catch (err) {
    return {
      packages,
      problems: [{ path: file.path, reason: `unsupported or corrupt rpm database: ${(err as Error).message}` }],
    };
  }
  blobs.forEach((blob, i) => {
    try {
      const pkg = rpmPackage(parseRpmHeader(blob), file.path, fs);
      if (pkg) packages.push(pkg);
    } catch (err) {
      problems.push({ path: file.path, reason: `header ${i + 1}: ${(err as Error).message}` });
    }
  });
  return { packages, problems };
}

const DIRS = '{/var/lib/rpm,/usr/lib/sysimage/rpm}';

export const rpmCataloger: Cataloger = {
  name: 'rpm',
  globs: [`${DIRS}/rpmdb.sqlite`, `${DIRS}/Packages`, `${DIRS}/Packages.db`],
  parse: parseRpmDb,
};
