/** Small tar and stream helpers shared by the engine and the context code. */
import type { Readable } from 'node:stream';
import tar from 'tar-stream';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

/** A small uncompressed tar from in-memory entries. */
export async function packTar(entries: { name: string; data: Buffer; mode?: number }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries)
    pack.entry({ name: e.name, size: e.data.length, mode: e.mode ?? 0o644, mtime: new Date(0) }, e.data);
  pack.finalize();
  return readAll(pack as unknown as Readable);
}
