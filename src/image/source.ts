/**
 * Where an image is read from: a `docker save` / OCI-layout tarball on disk,
 * or an image in the engine (read through `docker save`, never pulled).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { UserError } from '../common/diagnostics.js';
import type { Engine } from '../execute/engine.js';
import { readImageArchive, type ImageArchive } from './archive.js';

export interface OpenedImage {
  archive: ImageArchive;
  /** How errors and the SBOM name the input. */
  label: string;
  kind: 'engine' | 'archive';
  /** Tags the image is known by. */
  tags: string[];
}

const LOOKS_LIKE_FILE = /^(\.{0,2}\/)|\.(tar|tar\.gz|tgz)$/;
const IMAGE_ID = /^(sha256:)?[0-9a-f]{12,64}$/;

/** True when `input` names a file (a tarball) rather than an image in the engine. */
export function isArchivePath(input: string): boolean {
  return existsSync(input) && statSync(input).isFile();
}

export async function openImage(input: string, engine: () => Engine): Promise<OpenedImage> {
  if (isArchivePath(input)) {
    // Large reads: the archive is parsed as it streams, and fewer, bigger chunks parse faster.
    const archive = await readImageArchive(createReadStream(input, { highWaterMark: 1 << 20 }), input);
    return { archive, label: input, kind: 'archive', tags: archive.repoTags };
  }
  if (existsSync(input)) throw new UserError(`${input} is a directory; give a docker save or OCI-layout tarball (docker save IMAGE -o image.tar), or an image name`);
  const e = engine();
  let id: string;
  try {
    id = await e.resolveImage(input);
  } catch (err) {
    if (err instanceof UserError && LOOKS_LIKE_FILE.test(input)) {
      throw new UserError(`${input}: no such file, and ${err.message}`, err.exitCode);
    }
    throw err;
  }
  const archive = await readImageArchive(await e.saveImage(id), `image ${input}`);
  if (archive.id !== id) throw new UserError(`image ${input}: the engine saved ${archive.id.slice(0, 19)}, not ${id.slice(0, 19)} (was the tag moved meanwhile?)`);
  const tags = IMAGE_ID.test(input) ? archive.repoTags : [input];
  return { archive, label: `image ${input}`, kind: 'engine', tags };
}
