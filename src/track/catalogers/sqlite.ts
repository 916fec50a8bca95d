/**
 * A read-only reader for the SQLite file format, just enough to read every
 * row of one rowid table (rpm's "Packages" table: hnum INTEGER PRIMARY KEY,
 * blob BLOB). Written here rather than depending on a native module: it runs
 * on bytes from any SnapshotFs (a tar stream included), and the format is
 * stable and documented (sqlite.org/fileformat2.html): the 100-byte header,
 * table b-tree pages (interior 0x05, leaf 0x0d), varints, record format,
 * overflow chains, and the write-ahead log, whose committed frames replace
 * pages of the main file.
 */

export class SqliteError extends Error {}

export type SqliteValue = null | number | bigint | string | Buffer;

interface Page {
  data: Buffer;
  /** Where the b-tree page header starts (100 on page 1). */
  hdr: number;
}

function varint(buf: Buffer, pos: number): { value: number; next: number } {
  let v = 0n;
  for (let i = 0; i < 9; i++) {
    if (pos + i >= buf.length) throw new SqliteError('varint past end of page');
    const b = buf[pos + i]!;
    if (i === 8) {
      v = (v << 8n) | BigInt(b);
      return { value: Number(BigInt.asIntN(64, v)), next: pos + 9 };
    }
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) return { value: Number(v), next: pos + i + 1 };
  }
  throw new SqliteError('bad varint');
}

/** A big-endian integer of a page, or a SqliteError when the (corrupt) offset is outside it. */
function be(d: Buffer, o: number, bytes: 2 | 4, what: string): number {
  if (o < 0 || o + bytes > d.length) throw new SqliteError(`${what} at offset ${o} is outside the page`);
  return bytes === 2 ? d.readUInt16BE(o) : d.readUInt32BE(o);
}

export class SqliteFile {
  readonly pageSize: number;
  readonly usable: number;
  readonly pageCount: number;
  private readonly wal = new Map<number, Buffer>();

  constructor(
    private readonly db: Buffer,
    walFile?: Buffer,
  ) {
    if (db.length < 100 || db.toString('latin1', 0, 16) !== 'SQLite format 3\0')
      throw new SqliteError('not an SQLite 3 database');
    const ps = db.readUInt16BE(16);
    this.pageSize = ps === 1 ? 65536 : ps;
    if (this.pageSize < 512 || (this.pageSize & (this.pageSize - 1)) !== 0)
      throw new SqliteError(`bad page size ${ps}`);
    this.usable = this.pageSize - db[20]!;
    if (this.usable < 480) throw new SqliteError('bad reserved space');
    if (walFile) this.loadWal(walFile);
    this.pageCount = Math.max(Math.floor(db.length / this.pageSize), ...this.wal.keys());
  }

  /** Committed WAL frames override main-file pages (the last committed copy of each page wins). */
  private loadWal(w: Buffer): void {
    if (w.length < 32) return;
    const magic = w.readUInt32BE(0);
    if (magic !== 0x377f0682 && magic !== 0x377f0683) return;
    if (w.readUInt32BE(8) !== this.pageSize) return;
    const salt1 = w.readUInt32BE(16);
    const salt2 = w.readUInt32BE(20);
    const frameSize = 24 + this.pageSize;
    let pending = new Map<number, Buffer>();
    for (let off = 32; off + frameSize <= w.length; off += frameSize) {
      // Frames from an older generation of the log (different salts) are not part of the database.
      if (w.readUInt32BE(off + 8) !== salt1 || w.readUInt32BE(off + 12) !== salt2) break;
      const pgno = w.readUInt32BE(off);
      pending.set(pgno, w.subarray(off + 24, off + frameSize));
      if (w.readUInt32BE(off + 4) !== 0) {
        for (const [k, v] of pending) this.wal.set(k, v);
        pending = new Map();
      }
    }
  }

  page(n: number): Page {
    if (n < 1 || n > this.pageCount) throw new SqliteError(`page ${n} out of range`);
    const data = this.wal.get(n) ?? this.db.subarray((n - 1) * this.pageSize, n * this.pageSize);
    if (data.length < this.pageSize) throw new SqliteError(`page ${n} truncated`);
    return { data, hdr: n === 1 ? 100 : 0 };
  }

  /** Payload of one cell, following the overflow chain when it does not fit the page. */
  private payload(page: Page, pos: number, size: number): Buffer {
    const u = this.usable;
    const maxLocal = u - 35;
    if (size <= maxLocal) {
      if (pos + size > page.data.length) throw new SqliteError('cell past end of page');
      return page.data.subarray(pos, pos + size);
    }
    const minLocal = Math.floor(((u - 12) * 32) / 255) - 23;
    const k = minLocal + ((size - minLocal) % (u - 4));
    const local = k <= maxLocal ? k : minLocal;
    if (pos + local + 4 > page.data.length) throw new SqliteError('cell past end of page');
    const parts: Buffer[] = [page.data.subarray(pos, pos + local)];
    let got = local;
    let next = page.data.readUInt32BE(pos + local);
    const seen = new Set<number>();
    while (got < size) {
      if (next === 0 || seen.has(next)) throw new SqliteError('broken overflow chain');
      seen.add(next);
      const ov = this.page(next).data;
      const take = Math.min(u - 4, size - got);
      parts.push(ov.subarray(4, 4 + take));
      got += take;
      next = ov.readUInt32BE(0);
    }
    return Buffer.concat(parts, size);
  }

  /** Every (rowid, record) of the table b-tree rooted at `root`, in rowid order. */
  *rows(root: number): Generator<{ rowid: number; values: SqliteValue[] }> {
    const seen = new Set<number>();
    const stack = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) throw new SqliteError(`page ${n} reached twice (corrupt tree)`);
      seen.add(n);
      const page = this.page(n);
      const d = page.data;
      const h = page.hdr;
      const type = d[h];
      const cells = d.readUInt16BE(h + 3);
      if (type === 0x05) {
        const children: number[] = [];
        for (let i = 0; i < cells; i++)
          children.push(be(d, be(d, h + 12 + 2 * i, 2, `page ${n} cell pointer ${i}`), 4, `page ${n} cell ${i}`));
        children.push(d.readUInt32BE(h + 8));
        // Reverse so the leftmost child is visited first.
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      } else if (type === 0x0d) {
        for (let i = 0; i < cells; i++) {
          let pos = be(d, h + 8 + 2 * i, 2, `page ${n} cell pointer ${i}`);
          const size = varint(d, pos);
          const rowid = varint(d, size.next);
          pos = rowid.next;
          yield { rowid: rowid.value, values: decodeRecord(this.payload(page, pos, size.value)) };
        }
      } else {
        throw new SqliteError(`page ${n} is not a table b-tree page (type ${type})`);
      }
    }
  }

  /** Root page of a table, from the schema table on page 1. */
  tableRoot(name: string): number | undefined {
    for (const { values } of this.rows(1)) {
      if (values[0] === 'table' && typeof values[1] === 'string' && values[1].toLowerCase() === name.toLowerCase()) {
        return typeof values[3] === 'number' ? values[3] : undefined;
      }
    }
    return undefined;
  }
}

export function decodeRecord(p: Buffer): SqliteValue[] {
  const hs = varint(p, 0);
  const types: number[] = [];
  let pos = hs.next;
  while (pos < hs.value) {
    const t = varint(p, pos);
    types.push(t.value);
    pos = t.next;
  }
  let off = hs.value;
  const out: SqliteValue[] = [];
  const need = (n: number) => {
    if (off + n > p.length) throw new SqliteError('record past end of payload');
  };
  for (const t of types) {
    switch (t) {
      case 0:
        out.push(null);
        break;
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
      case 6: {
        const len = [0, 1, 2, 3, 4, 6, 8][t]!;
        need(len);
        let v = 0n;
        for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(p[off + i]!);
        v = BigInt.asIntN(len * 8, v);
        out.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        off += len;
        break;
      }
      case 7:
        need(8);
        out.push(p.readDoubleBE(off));
        off += 8;
        break;
      case 8:
        out.push(0);
        break;
      case 9:
        out.push(1);
        break;
      default:
        if (t >= 12) {
          const len = t % 2 === 0 ? (t - 12) / 2 : (t - 13) / 2;
          need(len);
          out.push(t % 2 === 0 ? p.subarray(off, off + len) : p.toString('utf8', off, off + len));
          off += len;
        } else throw new SqliteError(`reserved serial type ${t}`);
    }
  }
  return out;
}
