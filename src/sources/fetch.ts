/**
 * `scannable sources --fetch DIR`: downloads every located source into DIR,
 * verifies each file against the digest its index or registry states, and
 * writes DIR/manifest.json. One source failing never stops the others; the
 * manifest says, per source, ok / failed (with the reason) / skipped (nothing
 * to download, with why).
 *
 * Layout: debian/<source>_<version>/…, npm/<name>-<version>.tgz, pypi/…,
 * gem/…, go/<module>@<version>.zip, git/<repo>@<commit>.tar.gz,
 * context/<path>, remote/<sha256 prefix>/<name>.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { replaceFileAtomic } from '../common/atomic.js';
import { checkExpected, download, FetchError, type Downloaded } from './http.js';
import { mapLimit, type SourceLocation } from './locate.js';
import { dirHash1, type SourceFileSpec } from './registries.js';

export const MANIFEST_VERSION = 1;

export type FetchStatus = 'ok' | 'failed' | 'skipped';

export interface FetchedFile {
  name: string;
  url?: string;
  /** Relative to DIR. */
  path?: string;
  size?: number;
  sha256?: string;
  /** What the file was checked against: sha256, sha512, size, h1 (Go), commit (git). */
  verified?: string[];
  error?: string;
}

export interface ManifestEntry {
  id: string;
  kind: SourceLocation['kind'];
  name: string;
  version?: string;
  components: string[];
  urls: string[];
  status: FetchStatus;
  reason?: string;
  suite?: string;
  repository?: string;
  commit?: string;
  files: FetchedFile[];
}

export interface Manifest {
  manifestVersion: number;
  sbom: { serialNumber?: string; image?: string };
  mirror: { main: string; security: string };
  summary: Record<FetchStatus, number>;
  sources: ManifestEntry[];
}

export interface FetchOptions {
  timeoutMs: number;
  /** Sources fetched at once. */
  concurrency: number;
  /** The build context, to copy context files from (verified by sha256). */
  context?: string;
  /** Progress lines (one per finished source). */
  onDone?: (e: ManifestEntry) => void;
}

/** A path segment safe to create under DIR: no separators, no `..`, nothing hidden. */
export function safeSegment(s: string): string {
  const out = s.replace(/[/\\\0]/g, '_').replace(/^\.+/, '_');
  return out === '' ? '_' : out;
}

function hashFile(file: string): { size: number; sha256: string; sha512: string } {
  const data = readFileSync(file);
  return {
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    sha512: createHash('sha512').update(data).digest('hex'),
  };
}

/** Where a location's files go, relative to DIR. */
function targetDir(l: SourceLocation): string {
  switch (l.kind) {
    case 'debian-source':
      return path.join('debian', safeSegment(`${l.name}_${l.version}`));
    case 'npm':
      return l.name.startsWith('@') ? path.join('npm', safeSegment(l.name.split('/')[0]!)) : 'npm';
    case 'pypi':
      return 'pypi';
    case 'gem':
      return 'gem';
    case 'go-module':
      return 'go';
    case 'remote':
      return path.join('remote', (l.sha256 ?? createHash('sha256').update(l.id).digest('hex')).slice(0, 16));
    default:
      return l.kind;
  }
}

function fileName(l: SourceLocation, f: SourceFileSpec): string {
  if (l.kind === 'go-module') return safeSegment(`${l.name}@${l.version}.zip`);
  return safeSegment(f.name);
}

/** Downloads one file unless a verified copy is already there (a re-run resumes). */
async function fetchFile(dir: string, rel: string, f: SourceFileSpec, opts: FetchOptions): Promise<FetchedFile> {
  const dest = path.join(dir, rel);
  const expected = {
    ...(f.sha256 ? { sha256: f.sha256 } : {}),
    ...(f.sha512 ? { sha512: f.sha512 } : {}),
    ...(f.size !== undefined ? { size: f.size } : {}),
  };
  const h1Check = (file: string): void => {
    if (!f.h1) return;
    let got: string;
    try {
      got = dirHash1(file);
    } catch (e) {
      throw new FetchError(`cannot read the module zip ${f.url}: ${(e as Error).message}`);
    }
    if (got !== f.h1) throw new FetchError(`h1 mismatch for ${f.url}: the checksum database says ${f.h1}, got ${got}`);
  };
  const entry: FetchedFile = { name: f.name, url: f.url };
  try {
    let got: Downloaded;
    if (existsSync(dest) && (f.sha256 || f.sha512 || f.h1)) {
      const have = hashFile(dest);
      try {
        got = { ...have, verified: checkExpected(have, expected, dest) };
        h1Check(dest);
      } catch {
        rmSync(dest, { force: true }); // a stale or foreign file: download afresh
        got = await download(f.url, dest, { timeoutMs: opts.timeoutMs, expected, verify: h1Check });
      }
    } else {
      got = await download(f.url, dest, { timeoutMs: opts.timeoutMs, expected, verify: h1Check });
    }
    const verified: string[] = [...got.verified, ...(f.h1 ? ['h1'] : [])];
    return { ...entry, path: rel, size: got.size, sha256: got.sha256, verified };
  } catch (e) {
    return { ...entry, error: e instanceof FetchError ? e.message : String((e as Error).message ?? e) };
  }
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 16 << 20, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') reject(new FetchError(`${cmd} is not installed`));
          else if ((err as { killed?: boolean }).killed)
            reject(new FetchError(`${cmd} ${args[0]} timed out after ${(timeoutMs / 1000).toFixed(0)} s`));
          else
            reject(
              new FetchError(
                `${cmd} ${args[0]} failed: ${(stderr || err.message).trim().split('\n').slice(-2).join(' ')}`,
              ),
            );
        } else resolve(stdout);
      },
    );
  });
}

/** A pinned commit, fetched alone and archived; git itself checks every object against its id. */
async function fetchGit(dir: string, l: SourceLocation, opts: FetchOptions): Promise<FetchedFile> {
  const repo = l.repository!;
  const commit = l.commit!;
  const name = safeSegment(`${repo.replace(/^[a-z+]+:\/\//, '').replace(/\.git$/, '')}@${commit}.tar.gz`);
  const rel = path.join('git', name);
  const dest = path.join(dir, rel);
  const work = mkdtempSync(path.join(dir, '.git-'));
  const tmp = path.join(dir, 'git', `.${name}.${randomBytes(6).toString('hex')}.part`);
  // A fetch and an archive can each take a while on a big repository: allow far more than the idle timeout.
  const limit = Math.max(opts.timeoutMs * 20, 120_000);
  try {
    mkdirSync(path.dirname(dest), { recursive: true });
    await run('git', ['init', '-q', '.'], work, limit);
    await run('git', ['fetch', '-q', '--depth', '1', repo, commit], work, limit);
    const head = (await run('git', ['rev-parse', 'FETCH_HEAD^{commit}'], work, limit)).trim();
    if (head !== commit) throw new FetchError(`${repo} gave commit ${head}, not ${commit}`);
    await run(
      'git',
      [
        'archive',
        '--format=tar.gz',
        `--prefix=${safeSegment(path.basename(repo).replace(/\.git$/, ''))}/`,
        '-o',
        tmp,
        commit,
      ],
      work,
      limit,
    );
    const h = hashFile(tmp);
    renameSync(tmp, dest);
    return { name, url: repo, path: rel, size: h.size, sha256: h.sha256, verified: ['commit'] };
  } catch (e) {
    rmSync(tmp, { force: true });
    return { name, url: repo, error: e instanceof FetchError ? e.message : (e as Error).message };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A build-context file, copied from the context and checked against the SBOM's sha256. */
function copyContext(dir: string, l: SourceLocation, context: string): FetchedFile {
  const p = l.contextPath!;
  const norm = path.posix.normalize(p);
  if (norm.startsWith('../') || norm === '..' || path.isAbsolute(norm))
    return { name: p, error: `context path ${p} leaves the context` };
  const src = path.join(context, norm);
  const rel = path.join('context', ...norm.split('/').map(safeSegment));
  const dest = path.join(dir, rel);
  const tmp = `${dest}.${randomBytes(6).toString('hex')}.part`;
  try {
    if (!existsSync(src) || !statSync(src).isFile()) return { name: p, error: `${src} is not a file` };
    mkdirSync(path.dirname(dest), { recursive: true });
    copyFileSync(src, tmp);
    const h = hashFile(tmp);
    const verified = checkExpected(h, l.sha256 ? { sha256: l.sha256 } : undefined, src);
    renameSync(tmp, dest);
    return { name: p, path: rel, size: h.size, sha256: h.sha256, verified };
  } catch (e) {
    rmSync(tmp, { force: true });
    return { name: p, error: (e as Error).message };
  }
}

async function fetchOne(dir: string, l: SourceLocation, opts: FetchOptions): Promise<ManifestEntry> {
  const entry: ManifestEntry = {
    id: l.id,
    kind: l.kind,
    name: l.name,
    ...(l.version ? { version: l.version } : {}),
    components: l.components,
    urls: l.urls,
    status: 'ok',
    ...(l.suite ? { suite: l.suite } : {}),
    ...(l.repository ? { repository: l.repository } : {}),
    ...(l.commit ? { commit: l.commit } : {}),
    files: [],
  };
  const fail = (reason: string): ManifestEntry => ({ ...entry, status: 'failed', reason });
  const skip = (reason: string): ManifestEntry => ({ ...entry, status: 'skipped', reason });
  switch (l.kind) {
    case 'none':
      return l.sourceMissing ? fail(l.note ?? 'no source location is known') : skip(l.note ?? 'nothing to download');
    case 'context':
      if (!opts.context) return skip('in the build context: pass --context DIR to copy and verify it');
      entry.files = [copyContext(dir, l, opts.context)];
      break;
    case 'git':
      if (!l.commit) return fail(`${l.name}: ${l.note ?? 'no commit recorded'}`);
      entry.files = [await fetchGit(dir, l, opts)];
      break;
    default: {
      if (!l.resolved) return fail(l.note ?? 'not resolved');
      if (l.files.length === 0) return fail('the index lists no files for it');
      const sub = targetDir(l);
      for (const f of l.files) entry.files.push(await fetchFile(dir, path.join(sub, fileName(l, f)), f, opts));
      if (l.kind === 'remote' && !l.sha256)
        entry.reason = 'downloaded without verification: the SBOM records no digest for it';
    }
  }
  const errors = entry.files.filter((f) => f.error);
  if (errors.length) return fail(errors.map((f) => `${f.name}: ${f.error}`).join('; '));
  return entry;
}

/** Fetches every location into `dir` and writes `dir/manifest.json`; resolves to the manifest. */
export async function fetchSources(
  locations: SourceLocation[],
  dir: string,
  meta: { sbom: Manifest['sbom']; mirror: Manifest['mirror'] },
  opts: FetchOptions,
): Promise<Manifest> {
  mkdirSync(dir, { recursive: true });
  const entries = await mapLimit(locations, opts.concurrency, async (l) => {
    let e: ManifestEntry;
    try {
      e = await fetchOne(dir, l, opts);
    } catch (err) {
      // fetchOne reports failures as values; this catches the unexpected (a full disk...) for this source only.
      e = {
        id: l.id,
        kind: l.kind,
        name: l.name,
        components: l.components,
        urls: l.urls,
        status: 'failed',
        reason: (err as Error).message,
        files: [],
      };
    }
    opts.onDone?.(e);
    return e;
  });
  const summary: Record<FetchStatus, number> = { ok: 0, failed: 0, skipped: 0 };
  for (const e of entries) summary[e.status]++;
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    sbom: meta.sbom,
    mirror: meta.mirror,
    summary,
    sources: entries,
  };
  replaceFileAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
