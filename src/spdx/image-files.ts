/**
 * The files of an image, for the SPDX file list: SHA-1 (which SPDX requires)
 * and SHA-256 of each regular file, read from the image itself — an image in
 * the Docker engine (never pulled) or a `docker save` / OCI-layout tarball.
 * The image must be the one the SBOM describes.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../common/diagnostics.js';
import type { ImageFile } from './from-cyclonedx.js';

export interface ImageFiles {
  /** The image id ("sha256:…"). */
  id: string;
  lookup(path: string): ImageFile;
  close(): void;
}

/** Opens `image` (an engine reference or a tarball path) and checks it is `expectedId` when given. */
export async function openImageFiles(image: string, expectedId: string | undefined): Promise<ImageFiles> {
  const [{ isArchivePath, openArchiveFile, openEngineImage, resolveEngineImage }, { LayeredFs }] = await Promise.all([
    import('../image/source.js'),
    import('../snapshot/layered-fs.js'),
  ]);
  let opened;
  if (isArchivePath(image)) opened = await openArchiveFile(image);
  else {
    const { DockerEngine } = await import('../engine/docker/client.js');
    const engine = new DockerEngine();
    opened = await openEngineImage(image, await resolveEngineImage(image, engine), engine);
  }
  const archive = opened.archive;
  if (expectedId && archive.id !== expectedId) {
    archive.close();
    throw new UserError(
      `${opened.label} is ${archive.id.slice(0, 19)}, but the SBOM describes ${expectedId.slice(0, 19)}: give the image the SBOM was made of`,
    );
  }
  const fs = new LayeredFs(archive.layers.map((l) => l.fs));
  return {
    id: archive.id,
    lookup(path) {
      const e = fs.stat(path);
      if (!e) return undefined;
      if (e.kind === 'symlink') return { kind: 'symlink' };
      const data = fs.readFile(path);
      if (!data) return undefined;
      return {
        kind: 'file',
        sha1: createHash('sha1').update(data).digest('hex'),
        sha256: createHash('sha256').update(data).digest('hex'),
      };
    },
    close: () => archive.close(),
  };
}
