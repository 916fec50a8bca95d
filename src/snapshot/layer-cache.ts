/**
 * The layer cache: what reading an image needed, kept by content address so
 * a second SBOM of the same image (or of another image on the same base)
 * needs no `docker save` and no pass over every byte.
 *
 *   <dir>/configs/<hex>.json   an image config document; its sha256 is the image id
 *   <dir>/layers/<hex>.bin     one layer by diff id: every entry's metadata, whiteouts,
 *                              the digests computed and the contents of the files read
 *
 * Both are immutable functions of content, so an entry is never stale. A
 * cached layer holds only the contents earlier runs read; a run that asks for
 * more notices (`LayerIndex.misses`) and reads the real image instead. The
 * directory is `SCANNABLE_CACHE_DIR`, else `$XDG_CACHE_HOME/scannable`, else
 * `~/.cache/scannable`; deleting it at any time is safe.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { replaceFileAtomic } from '../common/atomic.js';
import type { CachedLayer } from './layer-index.js';

/** Bumped whenever what a cache file holds, or how a layer is indexed, changes. */
const FORMAT = 1;

export { defaultCacheDir } from '../common/cache-dir.js';

const hexOf = (digest: string): string | undefined => /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];

function writeAtomic(file: string, data: Buffer | string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  replaceFileAtomic(file, data);
}

export class LayerCache {
  constructor(readonly dir: string) {}

  private configPath(imageId: string): string | undefined {
    const hex = hexOf(imageId);
    return hex ? path.join(this.dir, 'configs', `${hex}.json`) : undefined;
  }

  private layerPath(diffId: string): string | undefined {
    const hex = hexOf(diffId);
    return hex ? path.join(this.dir, 'layers', `${hex}.v${FORMAT}.bin`) : undefined;
  }

  /** The config document of an image, if kept (and still hashing to its id). */
  config(imageId: string): Buffer | undefined {
    const file = this.configPath(imageId);
    if (!file) return undefined;
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      return undefined;
    }
    return `sha256:${createHash('sha256').update(data).digest('hex')}` === imageId ? data : undefined;
  }

  layer(diffId: string): CachedLayer | undefined {
    const file = this.layerPath(diffId);
    if (!file) return undefined;
    try {
      const v = v8.deserialize(readFileSync(file)) as { format?: number; diffId?: string; layer?: CachedLayer };
      return v.format === FORMAT && v.diffId === diffId && v.layer ? v.layer : undefined;
    } catch {
      // Unreadable (truncated by a full disk, another version): as good as absent.
      return undefined;
    }
  }

  /** Keeps an image's config and layers; failures (read-only home, full disk) only cost the next run time. */
  store(imageId: string, config: Buffer, layers: Array<{ diffId: string; layer: CachedLayer }>): void {
    try {
      const c = this.configPath(imageId);
      if (c) writeAtomic(c, config);
      for (const l of layers) {
        const file = this.layerPath(l.diffId);
        if (file) writeAtomic(file, v8.serialize({ format: FORMAT, diffId: l.diffId, layer: l.layer }));
      }
    } catch {
      return;
    }
  }
}
