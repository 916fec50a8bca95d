/**
 * Where an image is read from: a `docker save` / OCI-layout tarball on disk,
 * an image in the engine (read through `docker save`, never pulled), or the
 * layer cache when it holds everything an earlier run read of that image.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { UserError } from '../common/diagnostics.js';
import type { Engine } from '../engine/types.js';
import { parseImageReference } from '../ir/reference.js';
import { readImageArchive, type ImageArchive, type ImageConfigDocument } from './archive.js';
import type { LayerCache } from '../snapshot/layer-cache.js';
import { LayerIndex } from '../snapshot/layer-index.js';

export interface OpenedImage {
  archive: ImageArchive;
  /** How errors and the SBOM name the input. */
  label: string;
  kind: 'engine' | 'archive' | 'cache';
  /** Tags the image is known by. */
  tags: string[];
}

const LOOKS_LIKE_FILE = /^(\.{0,2}\/)|\.(tar|tar\.gz|tgz)$/;
const IMAGE_ID = /^(sha256:)?[0-9a-f]{12,64}$/;

/** True when `input` names a file (a tarball) rather than an image in the engine. */
export function isArchivePath(input: string): boolean {
  return existsSync(input) && statSync(input).isFile();
}

export async function openArchiveFile(file: string): Promise<OpenedImage> {
  // Large reads: the archive is parsed as it streams, and fewer, bigger chunks parse faster.
  const archive = await readImageArchive(createReadStream(file, { highWaterMark: 1 << 20 }), file);
  return { archive, label: file, kind: 'archive', tags: archive.repoTags };
}

/** The id of an image in the engine; a missing one is a UserError that says how to get it. */
export async function resolveEngineImage(input: string, engine: Engine): Promise<string> {
  if (existsSync(input))
    throw new UserError(
      `${input} is a directory; give a docker save or OCI-layout tarball (docker save IMAGE -o image.tar), or an image name`,
    );
  if (!IMAGE_ID.test(input)) {
    const ref = parseImageReference(input);
    // Only a well-formed reference is worth asking the engine about (it answers paths with redirects).
    if (!ref.ok) throw new UserError(`${input}: no such file, and not an image reference (${ref.error})`);
  }
  try {
    return await engine.resolveImage(input);
  } catch (err) {
    if (err instanceof UserError && LOOKS_LIKE_FILE.test(input))
      throw new UserError(`${input}: no such file, and ${err.message}`, err.exitCode);
    throw err;
  }
}

function tagsFor(input: string, fallback: string[]): string[] {
  return IMAGE_ID.test(input) ? fallback : [input];
}

export async function openEngineImage(input: string, id: string, engine: Engine): Promise<OpenedImage> {
  const archive = await readImageArchive(await engine.saveImage(id), `image ${input}`);
  if (archive.id !== id)
    throw new UserError(
      `image ${input}: the engine saved ${archive.id.slice(0, 19)}, not ${id.slice(0, 19)} (was the tag moved meanwhile?)`,
    );
  return { archive, label: `image ${input}`, kind: 'engine', tags: tagsFor(input, archive.repoTags) };
}

/** The image from the layer cache, when it holds every layer (and the config, unless given). */
export function openCachedImage(
  input: string,
  id: string,
  cache: LayerCache,
  known: { configBytes?: Buffer; tags?: string[]; label?: string } = {},
): OpenedImage | undefined {
  const configBytes = known.configBytes ?? cache.config(id);
  if (!configBytes) return undefined;
  let config: ImageConfigDocument;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as ImageConfigDocument;
  } catch {
    return undefined;
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  const layers: ImageArchive['layers'] = [];
  for (const [index, diffId] of diffIds.entries()) {
    const cached = cache.layer(diffId);
    if (!cached) return undefined;
    layers.push({ index, diffId, fs: LayerIndex.fromCache(cached, `cached layer ${diffId.slice(7, 19)}`) });
  }
  const archive: ImageArchive = {
    id,
    config,
    configBytes,
    repoTags: known.tags ?? [],
    layers,
    format: 'docker-archive',
    close: () => undefined,
  };
  return { archive, label: known.label ?? `image ${input}`, kind: 'cache', tags: known.tags ?? tagsFor(input, []) };
}
