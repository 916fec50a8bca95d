/** Synthetic ELF files carrying Go build information, built byte by byte for tests. */

/** A minimal little-endian ELF64 with one writable PT_LOAD holding `data` at vaddr 0x400000. */
export function elfWith(data: Buffer, vaddr = 0x400000): Buffer {
  const head = Buffer.alloc(64 + 56);
  head.write('\x7fELF', 0, 'latin1');
  head[4] = 2; // 64-bit
  head[5] = 1; // little endian
  head[6] = 1;
  head.writeUInt16LE(2, 16); // ET_EXEC
  head.writeUInt16LE(62, 18); // x86-64
  head.writeBigUInt64LE(64n, 0x20); // e_phoff
  head.writeUInt16LE(56, 0x36);
  head.writeUInt16LE(1, 0x38);
  head.writeUInt16LE(64, 0x3a);
  const ph = 64;
  head.writeUInt32LE(1, ph); // PT_LOAD
  head.writeUInt32LE(6, ph + 4); // PF_R | PF_W
  head.writeBigUInt64LE(BigInt(head.length), ph + 8); // offset
  head.writeBigUInt64LE(BigInt(vaddr), ph + 16);
  head.writeBigUInt64LE(BigInt(data.length), ph + 32);
  head.writeBigUInt64LE(BigInt(data.length), ph + 40);
  return Buffer.concat([head, data]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** Go >= 1.18 layout: 32-byte header (flags bit 2), then varint-prefixed version and modinfo. */
export function inlineBuildInfoElf(goVersion: string, modinfo: string): Buffer {
  const version = Buffer.from(goVersion);
  const wrapped = Buffer.concat([Buffer.alloc(16, 0x30), Buffer.from(modinfo), Buffer.alloc(16, 0x31)]);
  const hdr = Buffer.alloc(32);
  hdr.write('\xff Go buildinf:', 0, 'latin1');
  hdr[14] = 8;
  hdr[15] = 2;
  // 32 bytes of padding keep the magic 16-byte aligned by address (segment at 0x400000).
  return elfWith(
    Buffer.concat([Buffer.alloc(32), hdr, varint(version.length), version, varint(wrapped.length), wrapped]),
  );
}
