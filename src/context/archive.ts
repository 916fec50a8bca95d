/**
 * Local archives for ADD: docker extracts a source file into the destination
 * when it is a tar, plain or compressed, recognised by content (magic bytes),
 * never by name. gzip is decompressed in-process; bzip2, xz and zstd through
 * the host's programs of those names, as Node has no decoder for them.
 */
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { UserError } from '../common/diagnostics.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

export function decompress(data: Buffer, compression: Compression, name: string): Buffer {
  switch (compression) {
    case 'none':
      return data;
    case 'gzip':
      try {
        return gunzipSync(data);
      } catch (e) {
        throw new UserError(`ADD ${name}: corrupt gzip data: ${(e as Error).message}`);
      }
    default: {
      const r = spawnSync(compression, ['-dc'], { input: data, maxBuffer: 4 * 1024 * 1024 * 1024 });
      if (r.error)
        throw new UserError(
          `ADD ${name}: extracting a ${compression} archive needs the ${compression} program (${r.error.message})`,
        );
      if (r.status !== 0)
        throw new UserError(`ADD ${name}: corrupt ${compression} data: ${r.stderr.toString().trim()}`);
      return r.stdout;
    }
  }
}

/** A tar header block: the checksum field must match the block's bytes (what Go's tar reader checks first). */
export function looksLikeTar(data: Buffer): boolean {
  if (data.length < 512) return false;
  const block = data.subarray(0, 512);
  if (block.every((b) => b === 0)) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return parseInt(field, 8) === sum;
}

export interface ArchiveMember {
  /** Cleaned relative path ("a/b"), never leaving the archive's root. */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device' | 'block-device';
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  data?: Buffer;
}

/** The members of a local archive, or undefined when the file is not one (ADD then copies it as is). */
export async function readArchive(
  data: Buffer,
  name: string,
): Promise<{ members: ArchiveMember[]; compression: Compression } | undefined> {
  const compression = detectCompression(data);
  const raw = decompress(data, compression, name);
  if (!looksLikeTar(raw)) return undefined;
  const members: ArchiveMember[] = [];
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('end', () => {
        const clean = cleanMember(h.name);
        const type = h.type === 'contiguous-file' ? 'file' : h.type;
        if (
          clean &&
          type &&
          ['file', 'directory', 'symlink', 'link', 'fifo', 'character-device', 'block-device'].includes(type)
        ) {
          members.push({
            name: clean,
            type: type as ArchiveMember['type'],
            mode: (h.mode ?? 0o644) & 0o7777,
            uid: h.uid ?? 0,
            gid: h.gid ?? 0,
            mtime: h.mtime ? Math.floor(h.mtime.getTime() / 1000) : 0,
            ...(h.linkname ? { linkname: type === 'link' ? cleanMember(h.linkname) : h.linkname } : {}),
            ...(h.devmajor !== undefined ? { devmajor: h.devmajor, devminor: h.devminor ?? 0 } : {}),
            ...(type === 'file' ? { data: Buffer.concat(chunks) } : {}),
          });
        }
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', (e) =>
      reject(new UserError(`ADD ${name}: not a readable tar archive: ${(e as Error).message}`)),
    );
    Readable.from([raw]).pipe(extract);
  });
  return { members, compression };
}

/** "./a//b/" -> "a/b"; ".." cannot climb out of the destination, as docker's untar refuses breakouts. */
function cleanMember(name: string): string {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}
