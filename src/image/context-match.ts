/**
 * Build-context files in an image built elsewhere: which files of a COPY/ADD
 * layer are byte-for-byte files of the context (or members of an archive in
 * it). With the Dockerfile's op, the copy is planned exactly as the builder
 * would have done it (sources, .dockerignore, destination rules) and each
 * planned file is compared with what the layer holds; without one, or for
 * what the plan does not explain, files are matched by content alone.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../common/diagnostics.js';
import { readArchive } from '../context/archive.js';
import { BuildContext } from '../context/context.js';
import { planCopy, type DestView } from '../context/copy.js';
import { idLookupFromFiles } from '../context/ids.js';
import type { CopyOp, ExtractOp } from '../lower/types.js';
import type { PlacedSource } from '../track/tracker.js';
import type { LayerIndex } from '../snapshot/layer-index.js';

type ContextSource = Extract<PlacedSource, { kind: 'context' }>;

export interface LayerMatch {
  /** Image path -> the context file (or archive member) it is a copy of. */
  placed: Map<string, PlacedSource>;
  /** Files of the layer no context file accounts for. */
  unmatched: string[];
  /** Files the copy would have written from the context, but with other bytes (the context changed since the build). */
  differs: Array<{ path: string; source: string }>;
}

const ARCHIVE_NAME = /\.(tar|tgz|tar\.gz|tar\.bz2|tbz2?|tar\.xz|txz)$/i;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function sameName(a: string, b: string): boolean {
  return a.slice(a.lastIndexOf('/') + 1) === b.slice(b.lastIndexOf('/') + 1);
}

export class ContextMatcher {
  private byContent: Map<string, ContextSource[]> | undefined;
  /** `archive\0member` -> sha256 of the member's bytes. */
  private readonly members = new Map<string, string>();

  private constructor(readonly context: BuildContext) {}

  /** Opens the context directory as docker would send it (.dockerignore applied). */
  static open(dir: string, dockerfile?: string): ContextMatcher {
    return new ContextMatcher(BuildContext.open(dir, dockerfile ? { dockerfile } : {}));
  }

  /** Context files and members of context archives, by sha256; computed on first use. */
  private async contentIndex(): Promise<Map<string, ContextSource[]>> {
    if (this.byContent) return this.byContent;
    const index = new Map<string, ContextSource[]>();
    const add = (hash: string, src: ContextSource) => {
      const list = index.get(hash) ?? [];
      list.push(src);
      index.set(hash, list);
    };
    for (const e of this.context.entries()) {
      if (e.kind !== 'file') continue;
      const data = this.context.read(e.path);
      const hash = sha256(data);
      add(hash, { kind: 'context', path: e.path, sha256: hash });
      if (!ARCHIVE_NAME.test(e.path)) continue;
      let archive: Awaited<ReturnType<typeof readArchive>>;
      try {
        archive = await readArchive(data, e.path);
      } catch (err) {
        // A file named like an archive that does not read as one is only a file.
        if (err instanceof UserError) continue;
        throw err;
      }
      for (const m of archive?.members ?? []) {
        if (m.type !== 'file' || !m.data) continue;
        const memberHash = sha256(m.data);
        this.members.set(`${e.path}\0${m.name}`, memberHash);
        add(memberHash, { kind: 'context', path: e.path, sha256: hash, member: m.name });
      }
    }
    this.byContent = index;
    return index;
  }

  private async byHash(hash: string, imagePath: string): Promise<ContextSource | undefined> {
    const list = (await this.contentIndex()).get(hash);
    if (!list?.length) return undefined;
    // Same bytes under several names: prefer the one the image path is named after.
    return list.find((s) => sameName(s.member ?? s.path, imagePath)) ?? list[0];
  }

  /** Files of a layer, matched by content alone (no Dockerfile, or a copy from a stage the image does not contain). */
  async matchByContent(layer: LayerIndex): Promise<LayerMatch> {
    const out: LayerMatch = { placed: new Map(), unmatched: [], differs: [] };
    for (const e of layer.entries()) {
      if (e.kind !== 'file' && e.kind !== 'hardlink') continue;
      const hash = layer.sha256(e.path);
      const src = hash ? await this.byHash(hash, e.path) : undefined;
      if (src) out.placed.set(e.path, src);
      else out.unmatched.push(e.path);
    }
    return out;
  }

  /**
   * Files of the layer a COPY/ADD from the context wrote, replanned against
   * the image as it was before the layer (`before`).
   */
  async matchCopy(
    op: CopyOp | ExtractOp,
    layer: LayerIndex,
    before: DestView & { readFile(p: string): Buffer | undefined },
    classic: boolean,
  ): Promise<LayerMatch> {
    const sources = op.kind === 'extract' ? [op.source] : op.sources;
    const ids = idLookupFromFiles(
      before.readFile('/etc/passwd')?.toString('utf8'),
      before.readFile('/etc/group')?.toString('utf8'),
    );
    const planned = new Map<string, { source: ContextSource }>();
    try {
      const plan = await planCopy(this.context, {
        sources,
        dest: op.dest,
        ...(op.chown ? { chown: op.chown } : {}),
        ...(op.chmod ? { chmod: op.chmod } : {}),
        ...(op.kind === 'copy' ? { exclude: op.exclude, parents: op.parents, add: op.unpackArchives } : { add: true }),
        ids,
        image: before,
        mtime: 0,
        classic,
      });
      for (const m of plan.manifest) {
        if (!m.sha256) continue;
        if (m.source.kind === 'context')
          planned.set(m.dest, { source: { kind: 'context', path: m.source.path, sha256: m.sha256 } });
        else if (m.source.kind === 'archive') {
          planned.set(m.dest, {
            source: {
              kind: 'context',
              path: m.source.archive,
              sha256: m.source.archiveSha256,
              member: m.source.member,
            },
          });
        }
      }
    } catch (e) {
      // Sources missing from the context now: every file falls back to matching by content.
      if (!(e instanceof UserError)) throw e;
    }
    const out: LayerMatch = { placed: new Map(), unmatched: [], differs: [] };
    for (const e of layer.entries()) {
      if (e.kind !== 'file' && e.kind !== 'hardlink') continue;
      const hash = layer.sha256(e.path);
      const p = planned.get(e.path);
      if (p && hash && (p.source.member ? await this.memberHash(p.source) : p.source.sha256) === hash) {
        out.placed.set(e.path, p.source);
        continue;
      }
      const src = hash ? await this.byHash(hash, e.path) : undefined;
      if (src) out.placed.set(e.path, src);
      else {
        out.unmatched.push(e.path);
        if (p)
          out.differs.push({
            path: e.path,
            source: p.source.member ? `${p.source.path}:${p.source.member}` : p.source.path,
          });
      }
    }
    return out;
  }

  /** sha256 of an archive member's bytes (the manifest records the archive's). */
  private async memberHash(src: ContextSource): Promise<string | undefined> {
    await this.contentIndex();
    return this.members.get(`${src.path}\0${src.member}`);
  }
}
