/**
 * The tracker: from what the build recorded (each step's changes, what copy
 * steps placed where, what RUN steps meant to do) and the snapshots' files,
 * give every file of the final image exactly one origin.
 *
 * For a path P of a stage's final snapshot, with W the step that last wrote P:
 * 1. W placed P explicitly (COPY, ADD, a fetch): the copy's source is the origin
 *    (a context file, a download, an inline file, or — for COPY --from — the
 *    origin P's source had in that stage, recursively).
 * 2. A package database lists P: the package, installed by the step that last
 *    wrote the package's own metadata (or the base image, if none did).
 * 3. A rule says a tool generated P (package databases, caches, links).
 * 4. No step wrote P: it came with the base image.
 * 5. W is a RUN that unpacked an archive over P's directory, downloaded P, or
 *    built P from sources the stage copied in: the archive, download or build.
 * 6. Otherwise P is unattributed, and W is named.
 */
import { createHash } from 'node:crypto';
import { catalog } from './catalogers/index.js';
import type { SnapshotFs } from '../snapshot/fs.js';
import { mapOwnership, type OwnershipReport } from './ownership.js';
import type { Package } from './package.js';
import { normalizePath } from '../snapshot/paths.js';
import {
  computeCoverage,
  rootOrigin,
  type FileRecord,
  type Origin,
  type PackageRecord,
  type Problem,
  type StageRecord,
  type StepRef,
} from './provenance.js';

export type { ChangeKind } from '../snapshot/fs.js';
import type { ChangeKind } from '../snapshot/fs.js';

/** Where one file placed by a copy-like step came from. */
export type PlacedSource =
  | { kind: 'context'; path: string; sha256: string; member?: string }
  | { kind: 'stage'; stage: number; path: string }
  | { kind: 'image'; ref: string; imageId: string; path: string }
  | { kind: 'remote'; url: string; sha256?: string; verified: boolean; member?: string }
  | { kind: 'inline'; name: string };

/** What a RUN step's shell analysis says about the files it writes. */
export interface StepIntents {
  /** `tar -x` / `unzip` of an archive (a path glob in the image, or a download piped in) into a directory. */
  extracts: Array<{ archive?: string; url?: string; dest: string }>;
  /** Downloads to a file. */
  downloads: Array<{ url: string; output: string; verified: boolean }>;
  /** Build tools that ran (compilers, make, go build...). */
  builds: string[];
}

export interface TracedStep {
  ref: StepRef;
  op: 'base' | 'copy' | 'fetch' | 'gitFetch' | 'extract' | 'exec' | 'mkdir' | 'config';
  changes: Array<{ path: string; kind: ChangeKind }>;
  /** Copy-like steps: image path -> where it came from. */
  placed?: Map<string, PlacedSource>;
  intents?: StepIntents;
  /** Members of archives this build read, by archive source key (`context:path` / `remote:url`), when known. */
  archiveMembers?: Map<string, Set<string>>;
}

export interface StageTrace {
  index: number;
  name?: string;
  base: StageRecord['base'];
  steps: TracedStep[];
  /** The stage's final snapshot; needed for the target and for stages other stages copy from. */
  fs?: SnapshotFs;
}

export interface TrackResult {
  files: FileRecord[];
  packages: PackageRecord[];
  buildPackages: PackageRecord[];
  problems: Problem[];
  /** Per step id: final-image files it wrote, and how many of them are unattributed. */
  observed: Map<string, { files: number; unattributed: number }>;
}

interface StageState {
  trace: StageTrace;
  /** path -> last step that wrote it, including steps of parent stages. */
  lastWriter: Map<string, TracedStep>;
  /** Steps of this stage and its parents, in order. */
  history: TracedStep[];
  catalog?: { packages: Package[]; ownership: OwnershipReport; problems: Problem[] };
  /** Origins already computed, by path. */
  origins: Map<string, Origin>;
  baseImage?: { ref: string; imageId: string };
}

const COUNTED = new Set(['file', 'symlink', 'hardlink']);

export interface ResultOptions {
  /**
   * Hash files whose origin already names their bytes: a package's files, the
   * base image's, package-manager state (default true). Reading an image
   * without building it turns this off: those digests never reach the SBOM,
   * and hashing every byte of an image costs more than the rest of the work.
   */
  hashIdentified?: boolean;
}

const IDENTIFIED: ReadonlySet<Origin['kind']> = new Set(['package', 'base', 'generated']);

/** Debian's /usr/share/common-licenses files and the SPDX id of the text each holds. */
const COMMON_LICENSE_IDS: Record<string, string> = {
  'Apache-2.0': 'Apache-2.0',
  Artistic: 'Artistic-1.0-Perl',
  BSD: 'BSD-3-Clause',
  'CC0-1.0': 'CC0-1.0',
  'MPL-1.1': 'MPL-1.1',
  'MPL-2.0': 'MPL-2.0',
  'GPL-1': 'GPL-1.0-only',
  'GPL-2': 'GPL-2.0-only',
  'GPL-3': 'GPL-3.0-only',
  'LGPL-2': 'LGPL-2.0-only',
  'LGPL-2.1': 'LGPL-2.1-only',
  'LGPL-3': 'LGPL-3.0-only',
  'GFDL-1.2': 'GFDL-1.2-only',
  'GFDL-1.3': 'GFDL-1.3-only',
};

/**
 * The license texts Debian keeps in /usr/share/common-licenses, attached to the
 * package that ships them (base-files), so the attribution file can print each
 * text as the image itself has it.
 */
function attachCommonLicenses(fs: SnapshotFs, ownership: OwnershipReport): void {
  for (const e of fs.list('/usr/share/common-licenses')) {
    const name = e.path.slice('/usr/share/common-licenses/'.length);
    const id = Object.hasOwn(COMMON_LICENSE_IDS, name) ? COMMON_LICENSE_IDS[name] : undefined;
    if (!id || e.kind !== 'file') continue;
    const owner = ownership.owners.get(e.path);
    if (owner?.kind !== 'package') continue;
    const pkg = owner.pkg;
    if (pkg.licenseTexts.some((t) => t.path === e.path)) continue;
    const data = fs.readFile(e.path);
    if (!data || data.length > 1 << 20) continue;
    pkg.licenseTexts.push({ id, name: `common-licenses/${name}`, text: data.toString('utf8'), path: e.path });
  }
}

/**
 * Catalogs `fs` and drops the result. What its layers' files parse to stays
 * remembered with the layers (`SnapshotFs.remember`), and the code is warm: a
 * build runs this on a stage's base image while a long RUN runs, and the
 * catalog of the stage's final snapshot then reads only what its steps added.
 */
export function warmCatalog(fs: SnapshotFs): void {
  const c = catalog(fs);
  attachCommonLicenses(fs, mapOwnership(fs, c.packages));
}

export function fileSha256(fs: SnapshotFs, path: string): string | undefined {
  const withHash = fs as SnapshotFs & { sha256?: (p: string) => string | undefined };
  if (typeof withHash.sha256 === 'function') return withHash.sha256(path);
  const data = fs.readFile(path);
  return data ? createHash('sha256').update(data).digest('hex') : undefined;
}

/** Shell-style glob match for archive paths (`/tmp/*.tgz`). */
function globMatch(pattern: string, path: string): boolean {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$').test(path);
}

function under(dir: string, path: string): string | undefined {
  const d = normalizePath(dir);
  if (d === '/') return path.slice(1);
  return path.startsWith(d + '/') ? path.slice(d.length + 1) : undefined;
}

/** The metadata paths whose last writer installed a package. */
export function installMarker(p: Package): string[] {
  if (p.ecosystem === 'deb') {
    const lists = p.evidencePaths.filter((e) => e.endsWith('.list') || e.endsWith('.md5sums'));
    return lists.length ? lists : [p.metadataPath];
  }
  return [p.metadataPath];
}

export class Tracker {
  private readonly stages = new Map<number, StageState>();
  readonly problems: Problem[] = [];

  constructor(traces: readonly StageTrace[]) {
    for (const t of traces) this.addStage(t);
  }

  private addStage(trace: StageTrace): void {
    const parent = trace.base.kind === 'stage' ? this.stages.get(trace.base.stage) : undefined;
    const lastWriter = new Map(parent?.lastWriter ?? []);
    const history = [...(parent?.history ?? [])];
    for (const step of trace.steps) {
      history.push(step);
      for (const c of step.changes) {
        const p = normalizePath(c.path);
        if (c.kind === 'deleted') {
          lastWriter.delete(p);
          const prefix = p === '/' ? '/' : p + '/';
          for (const k of lastWriter.keys()) if (k.startsWith(prefix)) lastWriter.delete(k);
        } else lastWriter.set(p, step);
      }
    }
    const baseImage =
      trace.base.kind === 'image' ? { ref: trace.base.ref, imageId: trace.base.imageId } : parent?.baseImage;
    this.stages.set(trace.index, {
      trace,
      lastWriter,
      history,
      origins: new Map(),
      ...(baseImage ? { baseImage } : {}),
    });
  }

  private stageCatalog(st: StageState): NonNullable<StageState['catalog']> {
    if (!st.catalog) {
      const fs = st.trace.fs;
      if (!fs) throw new Error(`internal: stage ${st.trace.index} has no snapshot to catalog`);
      const c = catalog(fs);
      const problems = c.problems.map((p) => ({ path: p.path, reason: p.reason }));
      const ownership = mapOwnership(fs, c.packages);
      attachCommonLicenses(fs, ownership);
      st.catalog = { packages: c.packages, ownership, problems };
    }
    return st.catalog;
  }

  /** The step that installed a package in this stage's history, if any step did. */
  private installingStep(st: StageState, p: Package): TracedStep | undefined {
    for (const m of installMarker(p)) {
      const w = st.lastWriter.get(normalizePath(m));
      if (w) return w;
    }
    return undefined;
  }

  private baseOrigin(st: StageState, pkg?: string): Origin {
    const b = st.baseImage;
    return { kind: 'base', image: b?.ref ?? 'scratch', imageId: b?.imageId ?? '', ...(pkg ? { package: pkg } : {}) };
  }

  /** The origin of `path` in stage `index`'s final snapshot. */
  originOf(index: number, path: string): Origin {
    const st = this.stages.get(index);
    if (!st) throw new Error(`internal: unknown stage ${index}`);
    const p = normalizePath(path);
    const cached = st.origins.get(p);
    if (cached) return cached;
    const o = this.computeOrigin(st, p);
    st.origins.set(p, o);
    return o;
  }

  private computeOrigin(st: StageState, p: string): Origin {
    const w = st.lastWriter.get(p);
    // 1. Placed by a copy-like step.
    const placed = w?.placed?.get(p);
    if (w && placed) return this.fromPlaced(w, placed);
    // 2./3. Package databases and generated state.
    const cat = st.trace.fs ? this.stageCatalog(st) : undefined;
    const owner = cat?.ownership.owners.get(p);
    if (owner?.kind === 'package') {
      const by = this.installingStep(st, owner.pkg);
      return by ? { kind: 'package', package: owner.pkg.purl, step: by.ref } : this.baseOrigin(st, owner.pkg.purl);
    }
    if (owner?.kind === 'generated') return w ? { kind: 'generated', by: owner.by, step: w.ref } : this.baseOrigin(st);
    // 4. Untouched since the base image.
    if (!w) return this.baseOrigin(st);
    // 5. What the RUN meant to do.
    if (w.op === 'exec' && w.intents) {
      const o = this.fromIntents(st, w, p);
      if (o) return o;
    }
    return { kind: 'unattributed', step: w.ref };
  }

  private fromPlaced(w: TracedStep, src: PlacedSource): Origin {
    switch (src.kind) {
      case 'context':
        return {
          kind: 'context',
          path: src.path,
          sha256: src.sha256,
          ...(src.member ? { member: src.member } : {}),
          step: w.ref,
        };
      case 'remote':
        return {
          kind: 'remote',
          url: src.url,
          ...(src.sha256 ? { sha256: src.sha256 } : {}),
          verified: src.verified,
          ...(src.member ? { member: src.member } : {}),
          step: w.ref,
        };
      case 'inline':
        return { kind: 'inline', name: src.name, step: w.ref };
      case 'image':
        return { kind: 'base', image: src.ref, imageId: src.imageId };
      case 'stage': {
        const from = this.stages.get(src.stage);
        const inner = from ? this.originOf(src.stage, src.path) : { kind: 'unattributed' as const, step: w.ref };
        return {
          kind: 'stage',
          stage: src.stage,
          ...(from?.trace.name ? { stageName: from.trace.name } : {}),
          path: src.path,
          origin: inner,
          step: w.ref,
        };
      }
    }
  }

  /** Where the archive a RUN extracted came from, as of before that RUN. */
  private archiveSource(
    st: StageState,
    w: TracedStep,
    pattern: string,
  ): { step: TracedStep; path: string; src: PlacedSource } | undefined {
    const before = st.history.slice(0, st.history.indexOf(w));
    for (let i = before.length - 1; i >= 0; i--) {
      const s = before[i]!;
      for (const [path, src] of s.placed ?? []) if (globMatch(pattern, path)) return { step: s, path, src };
    }
    return undefined;
  }

  private fromIntents(st: StageState, w: TracedStep, p: string): Origin | undefined {
    const intents = w.intents!;
    // A RUN's download is only inferred from its command line; without a
    // checksum or signature check, nothing binds these bytes to that URL.
    for (const d of intents.downloads) {
      if (normalizePath(d.output) !== p) continue;
      if (d.verified) return { kind: 'remote', url: d.url, verified: true, step: w.ref };
      return {
        kind: 'unattributed',
        step: w.ref,
        note: `downloaded from ${d.url} without a checksum or signature check`,
      };
    }
    for (const x of intents.extracts) {
      const member = under(x.dest, p);
      if (member === undefined) continue;
      if (x.url)
        return {
          kind: 'unattributed',
          step: w.ref,
          note: `unpacked from ${x.url}, downloaded without a checksum or signature check`,
        };
      if (!x.archive) continue;
      const found = this.archiveSource(st, w, x.archive);
      if (!found) continue;
      const key =
        found.src.kind === 'context'
          ? `context:${found.src.path}`
          : found.src.kind === 'remote'
            ? `remote:${found.src.url}`
            : undefined;
      const members = key ? w.archiveMembers?.get(key) : undefined;
      if (members && !members.has(member) && !members.has(`./${member}`)) continue;
      const archiveOrigin = this.fromPlaced(found.step, found.src);
      if (archiveOrigin.kind === 'context' || archiveOrigin.kind === 'remote')
        return { ...archiveOrigin, member, step: w.ref };
      return archiveOrigin;
    }
    if (intents.builds.length) {
      const sources: Origin[] = [];
      const before = st.history.slice(0, st.history.indexOf(w));
      for (const s of before) {
        for (const src of s.placed?.values() ?? []) if (src.kind === 'context') sources.push(this.fromPlaced(s, src));
      }
      if (sources.length) return { kind: 'built', tool: intents.builds[0]!, sources, step: w.ref };
    }
    return undefined;
  }

  /** Everything the SBOM needs about the target stage. */
  result(target: number, options: ResultOptions = {}): TrackResult {
    const hashAll = options.hashIdentified ?? true;
    const st = this.stages.get(target);
    if (!st || !st.trace.fs) throw new Error('internal: the target stage has no snapshot');
    const fs = st.trace.fs;
    const cat = this.stageCatalog(st);
    const files: FileRecord[] = [];
    const observed = new Map<string, { files: number; unattributed: number }>();
    for (const e of fs.entries()) {
      if (!COUNTED.has(e.kind)) continue;
      const origin = this.originOf(target, e.path);
      const sha256 =
        e.kind === 'file' && (hashAll || !IDENTIFIED.has(rootOrigin(origin).kind)) ? fileSha256(fs, e.path) : undefined;
      files.push({
        path: e.path,
        kind: e.kind as FileRecord['kind'],
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        size: e.size,
        ...(sha256 ? { sha256 } : {}),
        ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
        origin,
      });
      const writer = st.lastWriter.get(e.path);
      if (writer) {
        const ob = observed.get(writer.ref.id) ?? { files: 0, unattributed: 0 };
        ob.files++;
        if (origin.kind === 'unattributed') ob.unattributed++;
        observed.set(writer.ref.id, ob);
      }
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

    const ownedBy = new Map<Package, string[]>();
    for (const [path, owner] of cat.ownership.owners) {
      if (owner.kind !== 'package') continue;
      const e = fs.stat(path);
      if (!e || !COUNTED.has(e.kind)) continue;
      const list = ownedBy.get(owner.pkg) ?? [];
      list.push(path);
      ownedBy.set(owner.pkg, list);
    }
    const packages = cat.packages.map((pkg) => this.packageRecord(st, pkg, (ownedBy.get(pkg) ?? []).sort()));

    // Packages of other stages with a snapshot (build stages copied from), not in the image.
    const inImage = new Set(packages.map((r) => r.package.purl));
    const buildPackages: PackageRecord[] = [];
    for (const other of this.stages.values()) {
      if (other === st || !other.trace.fs) continue;
      for (const pkg of this.stageCatalog(other).packages) {
        if (inImage.has(pkg.purl)) continue;
        inImage.add(pkg.purl);
        buildPackages.push(this.packageRecord(other, pkg, []));
      }
    }
    const problems = [...this.problems, ...cat.problems];
    return { files, packages, buildPackages, problems, observed };
  }

  private packageRecord(st: StageState, pkg: Package, files: string[]): PackageRecord {
    const by = this.installingStep(st, pkg);
    return {
      package: pkg,
      stage: st.trace.index,
      files,
      ...(by ? { step: by.ref } : st.baseImage ? { baseImage: st.baseImage.ref } : {}),
    };
  }
}

export { computeCoverage };
