/**
 * Just enough ELF to find a section or map a virtual address to a file offset:
 * the file header, section headers (with names) and program headers, 32/64-bit,
 * either byte order. Every read is bounds-checked; a bad file yields undefined.
 */

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export interface ElfFile {
  is64: boolean;
  littleEndian: boolean;
  sections: ElfSection[];
  segments: ElfSegment[];
}

export const PT_LOAD = 1;
export const PF_W = 2;
export const SHT_NOBITS = 8;

export function isElf(buf: Buffer): boolean {
  return buf.length >= 16 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/** Largest table we accept; real binaries have tens of sections and ~10 segments. */
const MAX_ENTRIES = 4096;

/** Bounds-checked integer reads of one buffer in one byte order (undefined past its end). */
function readers(buf: Buffer, le: boolean) {
  const u16 = (o: number): number | undefined =>
    o + 2 <= buf.length ? (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o)) : undefined;
  const u32 = (o: number): number | undefined =>
    o + 4 <= buf.length ? (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o)) : undefined;
  const u64 = (o: number): number | undefined => {
    if (o + 8 > buf.length) return undefined;
    const v = le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
  };
  return { u16, u32, u64 };
}

function fileHeader(buf: Buffer) {
  if (!isElf(buf)) return undefined;
  const cls = buf[4];
  const data = buf[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const is64 = cls === 2;
  const le = data === 1;
  const { u16, u32, u64 } = readers(buf, le);
  const hdr = is64
    ? {
        phoff: u64(0x20),
        shoff: u64(0x28),
        phentsize: u16(0x36),
        phnum: u16(0x38),
        shentsize: u16(0x3a),
        shnum: u16(0x3c),
        shstrndx: u16(0x3e),
      }
    : {
        phoff: u32(0x1c),
        shoff: u32(0x20),
        phentsize: u16(0x2a),
        phnum: u16(0x2c),
        shentsize: u16(0x2e),
        shnum: u16(0x30),
        shstrndx: u16(0x32),
      };
  if (Object.values(hdr).some((v) => v === undefined)) return undefined;
  return { is64, le, ...(hdr as Record<keyof typeof hdr, number>) };
}

/** The program headers in `table`, which lies at file offset `base` (the whole file: base 0). */
function programHeaders(table: Buffer, base: number, h: NonNullable<ReturnType<typeof fileHeader>>): ElfSegment[] {
  const { u32, u64 } = readers(table, h.le);
  const segments: ElfSegment[] = [];
  if (h.phoff > 0 && h.phnum <= MAX_ENTRIES && h.phentsize >= (h.is64 ? 56 : 32)) {
    for (let i = 0; i < h.phnum; i++) {
      const o = h.phoff - base + i * h.phentsize;
      const seg = h.is64
        ? { type: u32(o), flags: u32(o + 4), offset: u64(o + 8), vaddr: u64(o + 16), filesz: u64(o + 32) }
        : { type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16), flags: u32(o + 24) };
      if (Object.values(seg).some((v) => v === undefined)) break;
      segments.push(seg as ElfSegment);
    }
  }
  return segments;
}

/**
 * The loadable segments of an ELF file read piecemeal: its first 64 bytes,
 * then its program header table through `read`. Undefined when the file is
 * not ELF or its headers do not parse.
 */
export function segmentsFromHeaders(
  head: Buffer,
  read: (offset: number, length: number) => Buffer | undefined,
): ElfSegment[] | undefined {
  const h = fileHeader(head);
  if (!h || h.phoff <= 0 || h.phnum > MAX_ENTRIES || h.phentsize < (h.is64 ? 56 : 32)) return undefined;
  const table = read(h.phoff, h.phnum * h.phentsize);
  if (!table || table.length < h.phnum * h.phentsize) return undefined;
  return programHeaders(table, h.phoff, h);
}

export function parseElf(buf: Buffer): ElfFile | undefined {
  const h = fileHeader(buf);
  if (!h) return undefined;
  const { is64, le, shoff, shentsize, shnum, shstrndx } = h;
  const { u32, u64 } = readers(buf, le);
  const word = is64 ? u64 : u32;
  const segments = programHeaders(buf, 0, h);

  const sections: ElfSection[] = [];
  if (shoff > 0 && shnum <= MAX_ENTRIES && shentsize >= (is64 ? 64 : 40)) {
    const raw: (ElfSection & { nameOff: number })[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      const s = {
        nameOff: u32(o),
        type: u32(o + 4),
        flags: word(o + 8),
        addr: word(is64 ? o + 16 : o + 12),
        offset: word(is64 ? o + 24 : o + 16),
        size: word(is64 ? o + 32 : o + 20),
      };
      if (Object.values(s).some((v) => v === undefined)) break;
      raw.push({ ...(s as Omit<ElfSection, 'name'> & { nameOff: number }), name: '' });
    }
    const strtab = raw[shstrndx];
    for (const s of raw) {
      let name = '';
      if (strtab && strtab.offset + s.nameOff < buf.length) {
        const start = strtab.offset + s.nameOff;
        const end = buf.indexOf(0, start);
        name = buf.toString('latin1', start, end < 0 ? Math.min(buf.length, start + 256) : Math.min(end, start + 256));
      }
      sections.push({ name, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size });
    }
  }
  return { is64, littleEndian: le, sections, segments };
}

/** File offset holding virtual address `addr`, through the loadable segments. */
export function addrToOffset(elf: ElfFile, addr: number): number | undefined {
  for (const s of elf.segments) {
    if (s.type === PT_LOAD && addr >= s.vaddr && addr < s.vaddr + s.filesz) return s.offset + (addr - s.vaddr);
  }
  for (const s of elf.sections) {
    if (s.type !== SHT_NOBITS && s.addr !== 0 && addr >= s.addr && addr < s.addr + s.size)
      return s.offset + (addr - s.addr);
  }
  return undefined;
}
