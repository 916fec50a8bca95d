/**
 * Go build information embedded in executables (what `go version -m` shows):
 * the toolchain version, the main module and every dependency module.
 *
 * The data starts with the 16-byte-aligned magic "\xff Go buildinf:" in the
 * .go.buildinfo section (or a writable segment when sections are stripped),
 * followed by the pointer size and flags. Go >= 1.18 stores the two strings
 * inline as varint-prefixed bytes (flag bit 2); older toolchains store two
 * pointers to Go string headers, resolved here through the ELF segments.
 */
import type { FileEntry, SnapshotFs } from '../../snapshot/fs.js';
import { newPackage, type Package } from '../package.js';
import { golangPurl } from '../purl.js';
import { addrToOffset, isElf, parseElf, PF_W, PT_LOAD, segmentsFromHeaders, type ElfFile } from './elf.js';
import type { Cataloger, ParseResult, Problem } from './types.js';
import { MiB, remembered } from './util.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** Largest executable read whole (when its headers and writable segments cannot rule it out); larger ones are skipped. */
export const GO_MAX_BYTES = 256 * MiB;
/** Longest version or modinfo string accepted (real ones are a few KB). */
const MAX_STRING = 4 * MiB;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: { path: string; version: string; sum?: string };
}

export interface GoBuildInfo {
  goVersion: string;
  /** Main package path ("path" line). */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: Record<string, string>;
}

function findMagic(buf: Buffer, elf: ElfFile | undefined): number | undefined {
  const section = elf?.sections.find((s) => s.name === '.go.buildinfo');
  if (section && section.offset + 32 <= buf.length && buf.subarray(section.offset, section.offset + 14).equals(MAGIC)) {
    return section.offset;
  }
  // Sections stripped: the magic sits 16-byte aligned (by address) in a writable loadable segment.
  const ranges = elf
    ? elf.segments
        .filter((s) => s.type === PT_LOAD && (s.flags & PF_W) !== 0)
        .map((s) => [s.offset, s.filesz, s.vaddr] as const)
    : [];
  for (const [off, size, vaddr] of ranges) {
    const end = Math.min(buf.length, off + size);
    let at = buf.indexOf(MAGIC, off);
    while (at >= 0 && at + 32 <= end) {
      if ((vaddr + (at - off)) % 16 === 0) return at;
      at = buf.indexOf(MAGIC, at + 1);
    }
  }
  return undefined;
}

function uvarint(buf: Buffer, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let shift = 0;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
    shift += 7;
  }
  return undefined;
}

/** The raw version and modinfo strings, or a reason they could not be read. */
export function readBuildInfoStrings(
  buf: Buffer,
): { version: string; modinfo: string } | { error: string } | undefined {
  const elf = parseElf(buf);
  if (!elf) return undefined;
  const at = findMagic(buf, elf);
  if (at === undefined) return undefined;
  const ptrSize = buf[at + 14]!;
  const flags = buf[at + 15]!;
  if ((flags & 2) !== 0) {
    let pos = at + 32;
    const strs: string[] = [];
    for (let k = 0; k < 2; k++) {
      const len = uvarint(buf, pos);
      if (!len || len.value > MAX_STRING || len.next + len.value > buf.length)
        return { error: 'truncated inline build info' };
      strs.push(buf.toString('utf8', len.next, len.next + len.value));
      pos = len.next + len.value;
    }
    return { version: strs[0]!, modinfo: strs[1]! };
  }
  if (ptrSize !== 4 && ptrSize !== 8) return { error: `pointer size ${ptrSize} in build info header` };
  const bigEndian = (flags & 1) !== 0;
  const readPtr = (o: number): number | undefined => {
    if (o < 0 || o + ptrSize > buf.length) return undefined;
    if (ptrSize === 4) return bigEndian ? buf.readUInt32BE(o) : buf.readUInt32LE(o);
    const v = bigEndian ? buf.readBigUInt64BE(o) : buf.readBigUInt64LE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
  };
  // Each pointer leads to a Go string header {data pointer, length}.
  const readGoString = (ptrAt: number): string | undefined => {
    const hdrAddr = readPtr(ptrAt);
    if (hdrAddr === undefined) return undefined;
    const hdr = addrToOffset(elf, hdrAddr);
    if (hdr === undefined) return undefined;
    const dataAddr = readPtr(hdr);
    const len = readPtr(hdr + ptrSize);
    if (dataAddr === undefined || len === undefined || len > MAX_STRING) return undefined;
    if (len === 0) return '';
    const data = addrToOffset(elf, dataAddr);
    if (data === undefined || data + len > buf.length) return undefined;
    return buf.toString('utf8', data, data + len);
  };
  const version = readGoString(at + 16);
  const modinfo = readGoString(at + 16 + ptrSize);
  if (version === undefined || modinfo === undefined) return { error: 'build info pointers lead outside the file' };
  return { version, modinfo };
}

/** Parse the modinfo text ("path", "mod", "dep", "=>", "build" lines). */
export function parseModinfo(goVersion: string, raw: string): GoBuildInfo {
  let mod = raw;
  // Since Go 1.18 the text is wrapped in 16-byte sentinels, and ends with "\n" before the trailer.
  if (mod.length >= 33 && mod[mod.length - 17] === '\n') mod = mod.slice(16, mod.length - 16);
  const info: GoBuildInfo = { goVersion, deps: [], settings: {} };
  let last: GoModule | undefined;
  for (const line of mod.split('\n')) {
    const f = line.split('\t');
    switch (f[0]) {
      case 'path':
        info.path = f[1];
        break;
      case 'mod':
        if (f[1]) last = info.main = { path: f[1], version: f[2] ?? '', sum: f[3] || undefined };
        break;
      case 'dep':
        if (f[1]) {
          last = { path: f[1], version: f[2] ?? '', sum: f[3] || undefined };
          info.deps.push(last);
        }
        break;
      case '=>':
        if (last && f[1]) last.replace = { path: f[1], version: f[2] ?? '', sum: f[3] || undefined };
        break;
      case 'build': {
        const kv = f.slice(1).join('\t');
        const eq = kv.indexOf('=');
        if (eq > 0) info.settings[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
    }
  }
  return info;
}

/** Build info of one executable image, or undefined when it has none. */
export function readGoBuildInfo(buf: Buffer): GoBuildInfo | { error: string } | undefined {
  const s = readBuildInfoStrings(buf);
  if (!s || 'error' in s) return s;
  if (!s.version.startsWith('go') && s.version !== '')
    return { error: `unexpected Go version string ${JSON.stringify(s.version.slice(0, 40))}` };
  return parseModinfo(s.version, s.modinfo);
}

const usefulVersion = (v: string): string | undefined => (v && v !== '(devel)' ? v : undefined);

/**
 * Whether the build-info magic is in one of the program's writable loadable
 * segments, where the linker puts .go.buildinfo (stripped sections or not):
 * the program headers are read first, then only those segments. Undefined
 * when the headers do not parse, or when those segments together are more
 * than `maxBytes`.
 */
function magicInWritableSegments(
  head: Buffer,
  read: (offset: number, length: number) => Buffer | undefined,
  maxBytes = Infinity,
): boolean | undefined {
  const segments = segmentsFromHeaders(head, read);
  if (!segments) return undefined;
  const writable = segments.filter((s) => s.type === PT_LOAD && (s.flags & PF_W) !== 0);
  if (writable.reduce((n, s) => n + s.filesz, 0) > maxBytes) return undefined;
  for (const s of writable) {
    const bytes = read(s.offset, s.filesz);
    if (!bytes) return undefined;
    if (bytes.indexOf(MAGIC) >= 0) return true;
  }
  return false;
}

/**
 * Whether an executable certainly holds no Go build information, told from
 * its headers and writable segments alone where the snapshot reads parts of
 * files. Most executables of an image are C programs and libraries, and
 * reading them whole cost a toolchain image a fifth of its tracking. False
 * when this cannot be told cheaply: the caller reads the file, and applies
 * the same rule to it.
 */
function certainlyNotGo(file: FileEntry, fs: SnapshotFs): boolean {
  if (!fs.readRange) return false;
  const read = (offset: number, length: number) => fs.readRange!(file.path, offset, length);
  const head = read(0, 64);
  if (!head) return false;
  if (!isElf(head)) return true;
  // Reading segments of more than half the file is reading it whole.
  return magicInWritableSegments(head, read, file.size / 2) === false;
}

export function parseGoBinary(file: FileEntry, fs: SnapshotFs): ParseResult {
  const problems: Problem[] = [];
  if (file.size > GO_MAX_BYTES) {
    return {
      packages: [],
      problems: [
        { path: file.path, reason: `executable larger than ${GO_MAX_BYTES} bytes; not scanned for Go build info` },
      ],
    };
  }
  // Told once per layer file: a base image's executables, looked at while a RUN runs, are not read again.
  if (remembered(fs, file.path, 'go.certainly-not', () => certainlyNotGo(file, fs))) return { packages: [], problems };
  const buf = fs.readFile(file.path);
  if (!buf || !isElf(buf)) return { packages: [], problems };
  // The magic is in every Go binary since 1.13. Where the program headers parse, only a writable
  // segment counts (as above); otherwise anywhere in the file, and what is around it decides.
  const inSegments = magicInWritableSegments(buf, (offset, length) => buf.subarray(offset, offset + length));
  if (inSegments === false || (inSegments === undefined && buf.indexOf(MAGIC) < 0)) return { packages: [], problems };
  const info = readGoBuildInfo(buf);
  // The marker is there but the structure around it is not: a truncated or damaged Go program.
  if (!info)
    return {
      packages: [],
      problems: [
        {
          path: file.path,
          reason: 'Go build-info marker found, but no readable build information (truncated or malformed ELF)',
        },
      ],
    };
  if ('error' in info) return { packages: [], problems: [{ path: file.path, reason: info.error }] };

  const packages: Package[] = [];
  const common = (p: Package): Package => {
    p.properties['go-version'] = info.goVersion;
    p.properties.binary = file.path;
    p.licenseUnknownReason = 'Go build information records no licenses';
    return p;
  };
  const modulePackage = (m: GoModule, main: boolean): Package => {
    const eff = m.replace ?? m;
    const version = usefulVersion(eff.version);
    const p = newPackage({
      ecosystem: 'golang',
      name: eff.path,
      version,
      purl: golangPurl(eff.path, version),
      metadataPath: file.path,
      files: main ? [file.path] : [],
    });
    if (m.replace) p.properties.replaces = `${m.path}@${m.version}`;
    if (eff.sum) p.properties.h1 = eff.sum;
    if (main) {
      p.properties['main-module'] = 'true';
      if (info.path) p.properties['main-package'] = info.path;
      for (const k of ['vcs', 'vcs.revision', 'GOOS', 'GOARCH', '-ldflags', 'CGO_ENABLED']) {
        if (info.settings[k] !== undefined) p.properties[`build:${k}`] = info.settings[k]!;
      }
      p.dependencies = info.deps.map((d) => (d.replace ?? d).path);
    }
    return common(p);
  };
  if (info.main) packages.push(modulePackage(info.main, true));
  else if (info.path) {
    // GOPATH-mode builds name the main package but no module.
    const p = newPackage({
      ecosystem: 'golang',
      name: info.path,
      purl: golangPurl(info.path),
      metadataPath: file.path,
      files: [file.path],
    });
    p.properties['main-module'] = 'false';
    p.dependencies = info.deps.map((d) => (d.replace ?? d).path);
    packages.push(common(p));
  }
  for (const d of info.deps) packages.push(modulePackage(d, false));
  // The standard library is compiled in too; its version is the toolchain's.
  const stdVersion = /^go(\d[^\s]*)/.exec(info.goVersion)?.[1];
  if (stdVersion) {
    packages.push(
      common(
        newPackage({
          ecosystem: 'golang',
          name: 'stdlib',
          version: stdVersion,
          purl: golangPurl('stdlib', stdVersion),
          metadataPath: file.path,
        }),
      ),
    );
  }
  return { packages, problems };
}

export const goBinaryCataloger: Cataloger = {
  name: 'go-binary',
  globs: ['/**'],
  // Regular executables only; everything else is never opened.
  accept: (e) => e.kind === 'file' && (e.mode & 0o111) !== 0 && e.size >= 64,
  parse: parseGoBinary,
};
