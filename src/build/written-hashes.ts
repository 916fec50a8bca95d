/**
 * Hashes the files a RUN writes while it still runs, from the container's
 * write directory (its overlay upper directory). A RUN's layer is otherwise
 * hashed only after its commit, on the build's critical path: an apt install
 * writes ~100 MB (two 39 MB package caches among them), ~0.5 s of CPU at the
 * sha256 speed of a machine without SHA extensions.
 *
 * What may be taken from here is decided the way git trusts its index: a
 * file is hashed only once its ctime is `SETTLE_MS` old, and a hash is kept
 * only if the file's inode, size, mtime and ctime are the same after the RUN
 * ended. ctime cannot be set from user space, and a write(2) or truncate
 * after the first stat stamps it with a later time than one that old, so an
 * unchanged ctime means unchanged content. Writes through a shared writable
 * mapping are the exception: only the first write fault on a clean page
 * stamps the file, later writes to the still-dirty page do not. So a file
 * that one of the container's processes has mapped that way is not hashed
 * in that round (`sharedWritableMappings`); a mapping made after that check
 * stamps the file at its first write.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sha256OfFiles } from '../common/hash-pool.js';
import { tarMtime } from '../snapshot/dir-fs.js';
import type { KnownHash } from '../snapshot/layer-dir.js';

/**
 * How old a file's last change must be before it is hashed: more than the
 * granularity of the kernel's file timestamps (a jiffy, 1 to 10 ms), so
 * that a later change cannot carry the same ctime.
 */
const SETTLE_MS = 100;
/** How often the directory is walked again while the RUN runs, at least; a walk takes at most a tenth of the main thread. */
const INTERVAL_MS = 500;

interface Stamp {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

const sameStamp = (a: Stamp, b: Stamp): boolean =>
  a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;

/** Regular files under `dir` by their path in the image ("/usr/bin/jq"), with their stamps. */
function regularFiles(dir: string): Map<string, Stamp> {
  const out = new Map<string, Stamp>();
  const visit = (hostDir: string, imageDir: string) => {
    let names: string[];
    try {
      names = readdirSync(hostDir);
    } catch {
      return; // removed while walked: the next walk sees what replaced it
    }
    for (const name of names) {
      const host = path.join(hostDir, name);
      const image = imageDir === '/' ? `/${name}` : `${imageDir}/${name}`;
      let st;
      try {
        st = lstatSync(host);
      } catch {
        continue;
      }
      if (st.isDirectory()) visit(host, image);
      else if (st.isFile()) out.set(image, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs });
    }
  };
  visit(dir, '/');
  return out;
}

/**
 * The files a /proc/<pid>/maps text shows mapped shared and writable
 * ("rw-s"), by their path as the process sees it: in a container, the path
 * in the image.
 */
export function sharedWritableFiles(maps: string): string[] {
  const out: string[] = [];
  for (const line of maps.split('\n')) {
    // address perms offset dev inode path (the path may hold spaces)
    const m = /^\S+\s+(\S{4})\s+\S+\s+\S+\s+\d+\s+(\/.*)$/.exec(line);
    if (!m || m[1]![1] !== 'w' || m[1]![3] !== 's') continue;
    out.push(m[2]!.replace(/ \(deleted\)$/, ''));
  }
  return out;
}

/**
 * What the processes of a container (found by its id in their cgroup, as
 * docker names it under cgroup v1 and v2) have mapped shared and writable.
 * Undefined when /proc cannot tell (another platform, no permission): then
 * nothing may be trusted.
 */
export function sharedWritableMappings(containerId: string): Set<string> | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return undefined;
  }
  const out = new Set<string>();
  for (const pid of pids) {
    let maps: string;
    try {
      if (!readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(containerId)) continue;
      maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    for (const f of sharedWritableFiles(maps)) out.add(f);
  }
  return out;
}

export class WrittenFileHasher {
  private readonly hashed = new Map<string, Stamp & { sha256: string }>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  private readonly settleMs: number;
  private readonly intervalMs: number;

  private readonly removed: (path: string) => boolean;

  /**
   * Starts walking `dir`, the write directory of a running container;
   * `mappedForWrite` says which of its files the container's processes have
   * mapped shared and writable right now (undefined: unknown, hash nothing).
   * `removed`: files the RUN's script is expected to remove before it ends
   * (an apt install's package lists: ~150 MB of a 280 MB jq-curl RUN), not
   * hashed; one that is still there at the end is hashed with the layer.
   */
  constructor(
    private readonly dir: string,
    private readonly mappedForWrite: () => ReadonlySet<string> | undefined,
    options: { settleMs?: number; intervalMs?: number; removed?: (path: string) => boolean } = {},
  ) {
    this.settleMs = options.settleMs ?? SETTLE_MS;
    this.intervalMs = options.intervalMs ?? INTERVAL_MS;
    this.removed = options.removed ?? (() => false);
    this.schedule(this.intervalMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    const started = Date.now();
    const settled: Array<[string, Stamp]> = [];
    for (const [p, s] of regularFiles(this.dir)) {
      const known = this.hashed.get(p);
      if (s.ctimeMs <= started - this.settleMs && !(known && sameStamp(known, s)) && !this.removed(p))
        settled.push([p, s]);
    }
    // After the walk: a mapping made since then stamps the file at its first write. Unknown: none is hashed.
    const mapped = settled.length ? this.mappedForWrite() : undefined;
    const todo = mapped ? settled.filter(([p]) => !mapped.has(p)) : [];
    const next = Math.max(this.intervalMs, 10 * (Date.now() - started));
    if (!todo.length) return this.schedule(next);
    // One thread: the other core is the RUN's.
    this.round = sha256OfFiles(
      todo.map(([p]) => path.join(this.dir, p)),
      1,
    )
      .then((sums) =>
        todo.forEach(([p, s], i) => {
          const sha256 = sums[i];
          if (sha256 !== undefined) this.hashed.set(p, { ...s, sha256 });
          else this.hashed.delete(p);
        }),
      )
      .catch(() => undefined)
      .finally(() => {
        this.round = undefined;
        this.schedule(next);
      });
  }

  /** How many files have a hash so far (some may have changed since). */
  get hashedCount(): number {
    return this.hashed.size;
  }

  /**
   * Once the RUN has ended: the hashes still true of its files, as the
   * committed layer will show them (mtimes in whole seconds), to be taken
   * by path where size and mtime agree.
   */
  async finish(): Promise<Map<string, KnownHash>> {
    this.stop();
    await this.round;
    const out = new Map<string, KnownHash>();
    if (!this.hashed.size) return out;
    for (const [p, s] of regularFiles(this.dir)) {
      const known = this.hashed.get(p);
      // The mtime as the committed layer's view shows it (LayerDirView takes its entries from entryOfStats).
      if (known && sameStamp(known, s)) out.set(p, { size: s.size, mtime: tarMtime(s.mtimeMs), sha256: known.sha256 });
    }
    return out;
  }

  /** Stops walking (the RUN failed, or it ended). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
