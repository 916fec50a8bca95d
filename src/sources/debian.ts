/**
 * Debian source packages on a mirror. The exact files of a source package and
 * their sha256 come from the mirror's `Sources` index of each suite, whose own
 * sha256 comes from the suite's `InRelease` file; guessing pool paths is only
 * the fallback for describing where a package would be.
 *
 * Mirror: `--mirror` / `--security-mirror`, else the URIs of the Debian
 * entries in /etc/apt/sources.list and sources.list.d (one-line and deb822),
 * else deb.debian.org.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { replaceFileAtomic } from '../common/atomic.js';
import { sha256OfFile } from '../common/hash.js';
import { FetchError, getBytes, type HttpOptions } from './http.js';

export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
export const DEFAULT_SECURITY_MIRROR = 'http://deb.debian.org/debian-security';

/** Debian release numbers to codenames (the purl `distro` qualifier is `debian-<VERSION_ID>`). */
export const DEBIAN_CODENAMES: Record<string, string> = {
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
};

export interface MirrorConfig {
  /** The archive with `<codename>` and `<codename>-updates`. */
  main: string;
  /** The archive with `<codename>-security`. */
  security: string;
  components: string[];
  /** Where the URIs came from, for the output. */
  from: 'option' | 'apt' | 'default';
}

const CODENAMES = new Set(Object.values(DEBIAN_CODENAMES).concat(['sid']));

interface AptEntry {
  uri: string;
  suites: string[];
  components: string[];
}

/** Entries of apt's one-line (`deb [opts] uri suite comp...`) and deb822 (`.sources`) files. */
export function parseAptSources(text: string, deb822: boolean): AptEntry[] {
  const out: AptEntry[] = [];
  if (!deb822) {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*$/, '').trim();
      const m = /^deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
      if (m) out.push({ uri: m[1]!, suites: [m[2]!], components: m[3]!.split(/\s+/).filter(Boolean) });
    }
    return out;
  }
  for (const para of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const raw of para.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last)} ${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (m) fields.set((last = m[1]!.toLowerCase()), m[2]!.trim());
    }
    if (fields.get('enabled')?.toLowerCase() === 'no') continue;
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb') && !types.includes('deb-src')) continue;
    const uris = (fields.get('uris') ?? '').split(/\s+/).filter(Boolean);
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
    const components = (fields.get('components') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of uris) out.push({ uri, suites, components });
  }
  return out;
}

/** Reads the mirror from apt's configuration under `root` (default `/`); undefined when it names no Debian archive. */
export function mirrorFromApt(root = '/'): MirrorConfig | undefined {
  const entries: AptEntry[] = [];
  const main = path.join(root, 'etc/apt/sources.list');
  if (existsSync(main)) entries.push(...parseAptSources(readFileSync(main, 'utf8'), false));
  const dir = path.join(root, 'etc/apt/sources.list.d');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.list')) entries.push(...parseAptSources(readFileSync(path.join(dir, f), 'utf8'), false));
      else if (f.endsWith('.sources')) entries.push(...parseAptSources(readFileSync(path.join(dir, f), 'utf8'), true));
    }
  }
  let mainUri: string | undefined;
  let securityUri: string | undefined;
  const components = new Set<string>();
  for (const e of entries) {
    for (const s of e.suites) {
      const m = /^([a-z]+)(?:[-/](updates|security|backports|proposed-updates))?$/.exec(s);
      if (!m || !CODENAMES.has(m[1]!)) continue;
      if (m[2] === 'security') securityUri ??= e.uri;
      else mainUri ??= e.uri;
      for (const c of e.components) components.add(c);
    }
  }
  if (!mainUri && !securityUri) return undefined;
  return {
    main: (mainUri ?? DEFAULT_MIRROR).replace(/\/+$/, ''),
    security: (securityUri ?? DEFAULT_SECURITY_MIRROR).replace(/\/+$/, ''),
    components: components.size ? [...components].sort() : ['main'],
    from: 'apt',
  };
}

export function mirrorConfig(opts: { mirror?: string; securityMirror?: string; aptRoot?: string }): MirrorConfig {
  const apt = opts.mirror === undefined || opts.securityMirror === undefined ? mirrorFromApt(opts.aptRoot) : undefined;
  const main = opts.mirror ?? apt?.main ?? DEFAULT_MIRROR;
  const security = opts.securityMirror ?? apt?.security ?? DEFAULT_SECURITY_MIRROR;
  return {
    main: main.replace(/\/+$/, ''),
    security: security.replace(/\/+$/, ''),
    // Source packages of every component can be asked for, whatever apt installs from.
    components: [...new Set(['main', ...(apt?.components ?? []), 'contrib', 'non-free', 'non-free-firmware'])],
    from: opts.mirror !== undefined ? 'option' : apt ? 'apt' : 'default',
  };
}

/** `debian-12` -> `bookworm`; a codename is taken as is. */
export function codenameOf(distro: string | undefined): string | undefined {
  if (!distro) return undefined;
  const m = /^debian-(\d+)/.exec(distro);
  if (m) return DEBIAN_CODENAMES[m[1]!];
  return CODENAMES.has(distro) ? distro : undefined;
}

/** The suites a release's packages can be found in, with their archive. */
export function suitesFor(codename: string, mirror: MirrorConfig): Array<{ uri: string; suite: string }> {
  if (codename === 'sid') return [{ uri: mirror.main, suite: 'sid' }];
  return [
    { uri: mirror.main, suite: codename },
    { uri: mirror.main, suite: `${codename}-updates` },
    { uri: mirror.security, suite: `${codename}-security` },
  ];
}

/** Pool directory prefix: `libj` for libjq, else the first letter. */
export function poolPrefix(source: string): string {
  return source.startsWith('lib') && source.length > 3 ? source.slice(0, 4) : source.slice(0, 1);
}

/** The version as it appears in file names: without the epoch. */
export function fileVersion(version: string): string {
  return version.replace(/^\d+:/, '');
}

/** Where a source package's .dsc would be in the pool (a description; the index is authoritative). */
export function guessDscUrl(uri: string, component: string, source: string, version: string): string {
  return `${uri}/pool/${component}/${poolPrefix(source)}/${source}/${source}_${fileVersion(version)}.dsc`;
}

export interface DebSourceFile {
  name: string;
  url: string;
  size: number;
  sha256: string;
}

export interface DebSource {
  name: string;
  version: string;
  uri: string;
  suite: string;
  component: string;
  directory: string;
  dsc: string;
  files: DebSourceFile[];
}

/** One paragraph of a Sources index, reduced to what locating files needs. */
interface SourcesEntry {
  package: string;
  version: string;
  directory: string;
  files: Array<{ sha256: string; size: number; name: string }>;
}

/** Reads the `SHA256:` section of a Release/InRelease file: path -> {sha256, size}. */
export function parseRelease(text: string): Map<string, { sha256: string; size: number }> {
  const out = new Map<string, { sha256: string; size: number }>();
  let inSha = false;
  for (const line of text.split('\n')) {
    if (/^SHA256:/.test(line)) {
      inSha = true;
      continue;
    }
    if (!/^\s/.test(line)) {
      inSha = false;
      continue;
    }
    if (!inSha) continue;
    const m = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line);
    if (m) out.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
  }
  return out;
}

export type Compression = 'gz' | 'xz' | 'none';

/**
 * Streams a Sources index and keeps the paragraphs of the wanted source
 * packages. gzip is read by Node; xz (the only compression some suites are
 * served in) by the xz program of xz-utils, which every Debian system has.
 */
export async function scanSources(
  file: string,
  compression: Compression,
  wanted: Set<string>,
): Promise<SourcesEntry[]> {
  let stream: NodeJS.ReadableStream;
  let xzDone: Promise<void> | undefined;
  if (compression === 'xz') {
    const xz = spawn('xz', ['-dc', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    xz.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    xzDone = new Promise((resolve, reject) => {
      xz.on('error', (e: NodeJS.ErrnoException) =>
        reject(
          new FetchError(
            e.code === 'ENOENT'
              ? 'this index is served xz-compressed only and the xz program is not installed (apt-get install xz-utils)'
              : `xz: ${e.message}`,
          ),
        ),
      );
      xz.on('close', (code) =>
        code === 0 ? resolve() : reject(new FetchError(`xz could not decompress ${file}: ${stderr.trim()}`)),
      );
    });
    // Surface a failed start before reading (readline would just see an empty stream).
    xzDone.catch(() => undefined);
    stream = xz.stdout;
  } else {
    const input = createReadStream(file);
    stream = compression === 'gz' ? input.pipe(createGunzip()) : input;
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  const out: SourcesEntry[] = [];
  let cur: { package?: string; version?: string; directory?: string; files: SourcesEntry['files'] } = { files: [] };
  let inSha = false;
  const flush = (): void => {
    if (cur.package && cur.version && cur.directory && wanted.has(cur.package))
      out.push({ package: cur.package, version: cur.version, directory: cur.directory, files: cur.files });
    cur = { files: [] };
    inSha = false;
  };
  for await (const line of rl) {
    if (line === '') {
      flush();
      continue;
    }
    if (/^\s/.test(line)) {
      if (inSha) {
        const m = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line);
        if (m) cur.files.push({ sha256: m[1]!, size: Number(m[2]), name: m[3]! });
      }
      continue;
    }
    inSha = false;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'Package') cur.package = value;
    else if (key === 'Version') cur.version = value;
    else if (key === 'Directory') cur.directory = value;
    else if (key === 'Checksums-Sha256') inSha = true;
  }
  flush();
  if (xzDone) await xzDone;
  return out;
}

export interface IndexOptions extends HttpOptions {
  /** Where verified index files are kept between runs, by sha256 (none: a temporary directory). */
  cacheDir: string;
}

/** The SHA256 list of a suite's InRelease; undefined when the suite does not exist on the mirror. */
async function fetchRelease(
  uri: string,
  suite: string,
  opts: IndexOptions,
): Promise<Map<string, { sha256: string; size: number }> | undefined> {
  try {
    return parseRelease(
      (await getBytes(`${uri}/dists/${suite}/InRelease`, { ...opts, maxBytes: 32 << 20 })).toString('utf8'),
    );
  } catch (e) {
    if (e instanceof FetchError && /^HTTP 404/.test(e.message)) return undefined; // e.g. no -updates suite for sid
    throw e;
  }
}

/**
 * The Sources index of one suite and component, downloaded (or taken from the
 * cache) and verified against the suite's InRelease. Prefers Sources.gz, which
 * Node can read without help; takes the plain index where a suite has no .gz.
 */
async function fetchIndex(
  uri: string,
  suite: string,
  component: string,
  release: Map<string, { sha256: string; size: number }>,
  opts: IndexOptions,
): Promise<{ file: string; compression: Compression } | undefined> {
  // InRelease also lists the uncompressed index, which mirrors do not serve: it is the last resort.
  const choices: Array<{ name: string; compression: Compression }> = [
    { name: 'Sources.gz', compression: 'gz' },
    { name: 'Sources.xz', compression: 'xz' },
    { name: 'Sources', compression: 'none' },
  ];
  const pick = choices
    .map((c) => ({ ...c, entry: release.get(`${component}/source/${c.name}`) }))
    .find((c) => c.entry !== undefined);
  if (!pick?.entry) return undefined;
  mkdirSync(opts.cacheDir, { recursive: true });
  const cached = path.join(opts.cacheDir, `${pick.entry.sha256}.${pick.compression}`);
  if (existsSync(cached) && sha256OfFile(cached) === pick.entry.sha256)
    return { file: cached, compression: pick.compression };
  const url = `${uri}/dists/${suite}/${component}/source/${pick.name}`;
  const data = await getBytes(url, { ...opts, maxBytes: 512 << 20 });
  const got = createHash('sha256').update(data).digest('hex');
  if (got !== pick.entry.sha256)
    throw new FetchError(`sha256 mismatch for ${url}: InRelease says ${pick.entry.sha256}, got ${got}`);
  replaceFileAtomic(cached, data);
  return { file: cached, compression: pick.compression };
}

export interface DebLookupResult {
  found: Map<string, DebSource>;
  /** Versions the indices do have, for packages whose wanted version they lack. */
  otherVersions: Map<string, string[]>;
  /** Suites that could not be read, with why. */
  errors: string[];
  searched: string[];
}

/**
 * Finds source packages (`name@version`) of one release in the mirror's
 * indices. Each index is read at most once for all packages.
 */
export async function lookupDebSources(
  wanted: Array<{ name: string; version: string }>,
  codename: string,
  mirror: MirrorConfig,
  opts: IndexOptions,
): Promise<DebLookupResult> {
  const result: DebLookupResult = { found: new Map(), otherVersions: new Map(), errors: [], searched: [] };
  const names = new Set(wanted.map((w) => w.name));
  const want = new Set(wanted.map((w) => `${w.name}@${w.version}`));
  const missing = (): boolean => [...want].some((k) => !result.found.has(k));
  // Suites (release, -updates, -security) and their components are read in
  // order only while some wanted version is still missing.
  for (const { uri, suite } of suitesFor(codename, mirror)) {
    if (!missing()) break;
    let release: Map<string, { sha256: string; size: number }> | undefined;
    try {
      release = await fetchRelease(uri, suite, opts);
    } catch (e) {
      result.errors.push(`${uri} ${suite}: ${(e as Error).message}`);
      continue;
    }
    if (!release) continue;
    for (const component of mirror.components) {
      if (!missing()) break;
      let index: { file: string; compression: Compression } | undefined;
      try {
        index = await fetchIndex(uri, suite, component, release, opts);
      } catch (e) {
        result.errors.push(`${uri} ${suite}/${component}: ${(e as Error).message}`);
        continue;
      }
      if (!index) continue;
      result.searched.push(`${suite}/${component}`);
      let entries: SourcesEntry[];
      try {
        entries = await scanSources(index.file, index.compression, names);
      } catch (e) {
        result.errors.push(`${uri} ${suite}/${component}: ${(e as Error).message}`);
        continue;
      }
      for (const entry of entries) {
        const key = `${entry.package}@${entry.version}`;
        if (!want.has(key)) {
          const others = result.otherVersions.get(entry.package) ?? [];
          if (!others.includes(entry.version)) others.push(entry.version);
          result.otherVersions.set(entry.package, others);
          continue;
        }
        if (result.found.has(key)) continue;
        const base = `${uri}/${entry.directory}`;
        const files = entry.files.map((f) => ({
          name: f.name,
          url: `${base}/${f.name}`,
          size: f.size,
          sha256: f.sha256,
        }));
        const dsc = files.find((f) => f.name.endsWith('.dsc'));
        result.found.set(key, {
          name: entry.package,
          version: entry.version,
          uri,
          suite,
          component,
          directory: entry.directory,
          dsc: dsc?.url ?? guessDscUrl(uri, component, entry.package, entry.version),
          files,
        });
      }
    }
  }
  return result;
}
