/**
 * Where the source of every component of an SBOM lives. `locateSources` is
 * pure: it reads the SBOM and names locations by each ecosystem's URL pattern.
 * `resolveSources` asks the mirror's indices and the registries for the exact
 * files and the digests to verify them against. Components that share a
 * source (binary packages of one Debian source package) share one location.
 */
import os from 'node:os';
import path from 'node:path';
import { prop, type Sbom, type SbomComponent } from '../osl/sbom.js';
import { codenameOf, guessDscUrl, lookupDebSources, type MirrorConfig } from './debian.js';
import { describeError, type HttpOptions } from './http.js';
import { parsePurl } from './purl.js';
import {
  DEFAULT_REGISTRIES,
  gemUrl,
  goModuleZipUrl,
  npmTarballUrl,
  pypiSdistUrl,
  resolveGem,
  resolveGoSum,
  resolveNpm,
  resolvePypi,
  type RegistryConfig,
  type SourceFileSpec,
} from './registries.js';

export type SourceKind = 'debian-source' | 'npm' | 'pypi' | 'gem' | 'go-module' | 'git' | 'context' | 'remote' | 'none';

export interface SourceLocation {
  /** Stable key: `deb:jq@1.6-2.1`, `npm:left-pad@1.3.0`, `context:hello.sh`... */
  id: string;
  kind: SourceKind;
  name: string;
  version?: string;
  /** bom-refs of the components this source serves. */
  components: string[];
  /** Where to look, for a person: the .dsc, the registry page, the repository. */
  urls: string[];
  /** What to download (empty for nothing to download). */
  files: SourceFileSpec[];
  /** Files and digests confirmed by an index or registry (pattern URLs are not). */
  resolved: boolean;
  /** A source should exist but none can be named (unsupported ecosystem, no version): fetching it fails. */
  sourceMissing?: boolean;
  /** Why it is not resolved, or why there is nothing to fetch. */
  note?: string;
  /** Debian: the suite it was found in. */
  suite?: string;
  /** Debian: the release the SBOM says the package is from. */
  codename?: string;
  /** Version control repository the package metadata names. */
  repository?: string;
  /** gem: the platform of a platform-specific gem. */
  platform?: string;
  /** git: the commit to fetch. */
  commit?: string;
  /** context: the path in the build context and its sha256. */
  contextPath?: string;
  sha256?: string;
}

export interface LocateOptions {
  mirror: MirrorConfig;
  registries?: RegistryConfig;
  /** Also list build-stage-only components (formulation), e.g. compilers whose runtime parts are linked in. */
  includeBuild?: boolean;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function vcsOf(c: SbomComponent): string | undefined {
  return c.externalReferences.find((r) => r.type === 'vcs')?.url;
}

/** A git URL with a pinned commit (`...git#<40 hex>` as ADD and package metadata write it). */
function gitPin(url: string): { repo: string; commit?: string } | undefined {
  const isGit = /^git(\+[a-z]+)?:\/\//.test(url) || /\.git(#|$)/.test(url) || /^git@/.test(url);
  if (!isGit) return undefined;
  const [repo, frag] = url.split('#', 2) as [string, string | undefined];
  const commit = frag && /^[0-9a-f]{40}$/.test(frag) ? frag : undefined;
  return { repo: repo.replace(/^git\+/, ''), ...(commit ? { commit } : {}) };
}

function locationOf(c: SbomComponent, opts: LocateOptions): SourceLocation | undefined {
  const reg = opts.registries ?? DEFAULT_REGISTRIES;
  const base = { components: [c.ref], urls: [] as string[], files: [] as SourceFileSpec[], resolved: false };
  const repository = vcsOf(c);
  const withRepo = <T extends SourceLocation>(l: T): T => (repository ? { ...l, repository } : l);
  if (c.type === 'container') return undefined; // the image and its base images: their packages are listed one by one
  if (c.purl) {
    const p = parsePurl(c.purl);
    if (!p)
      return {
        ...base,
        id: `none:${c.ref}`,
        kind: 'none',
        name: c.name,
        sourceMissing: true,
        note: `cannot read the package URL ${c.purl}`,
      };
    const version = p.version ?? c.version;
    const none = (note: string): SourceLocation =>
      withRepo({
        ...base,
        id: `none:${c.ref}`,
        kind: 'none',
        name: c.name,
        ...(version ? { version } : {}),
        sourceMissing: true,
        note,
      });
    if (!version) return none('the SBOM gives no version, so no exact source can be named');
    switch (p.type) {
      case 'deb': {
        if (p.namespace !== 'debian') return none(`no source mirror is known for ${p.namespace ?? 'unnamed'} packages`);
        const src = prop(c, 'scannable:source-package');
        // Without a recorded source package, Debian policy says it has the binary's name and version,
        // less a binNMU suffix (+bN), which only binaries carry.
        const binaryVersion = version.replace(/\+b\d+$/, '');
        const [name, srcVersion] = src
          ? src.includes('@')
            ? [src.slice(0, src.indexOf('@')), src.slice(src.indexOf('@') + 1)]
            : [src, binaryVersion]
          : [p.name, binaryVersion];
        const codename = codenameOf(p.qualifiers.distro);
        const component = 'main';
        const dsc = guessDscUrl(opts.mirror.main, component, name, srcVersion);
        return withRepo({
          ...base,
          id: `deb:${name}@${srcVersion}`,
          kind: 'debian-source',
          name,
          version: srcVersion,
          urls: [dsc],
          ...(codename ? { codename } : {}),
          note: codename
            ? 'location by the pool naming rule; not yet looked up in the mirror indices'
            : `unknown Debian release ${JSON.stringify(p.qualifiers.distro ?? '')}`,
        });
      }
      case 'npm': {
        const name = p.namespace ? `${p.namespace}/${p.name}` : p.name;
        const url = npmTarballUrl(name, version, reg);
        return withRepo({
          ...base,
          id: `npm:${name}@${version}`,
          kind: 'npm',
          name,
          version,
          urls: [url],
          files: [{ name: url.split('/').pop()!, url }],
          note: 'not yet looked up in the registry',
        });
      }
      case 'pypi': {
        const url = pypiSdistUrl(c.name, version, reg);
        return withRepo({
          ...base,
          id: `pypi:${p.name}@${version}`,
          kind: 'pypi',
          name: c.name,
          version,
          urls: [url],
          files: [{ name: url.split('/').pop()!, url }],
          note: 'not yet looked up in the registry',
        });
      }
      case 'gem': {
        const url = gemUrl(p.name, version, p.qualifiers.platform, reg);
        return withRepo({
          ...base,
          id: `gem:${p.name}@${version}${p.qualifiers.platform ? '-' + p.qualifiers.platform : ''}`,
          kind: 'gem',
          name: p.name,
          version,
          urls: [url],
          files: [{ name: url.split('/').pop()!, url }],
          ...(p.qualifiers.platform ? { platform: p.qualifiers.platform } : {}),
          note: 'not yet looked up in the registry',
        });
      }
      case 'golang': {
        const module = p.namespace ? `${p.namespace}/${p.name}` : p.name;
        if (!/^v\d/.test(version))
          return none(
            `Go module ${module} has version ${JSON.stringify(version)}, which the module proxy cannot serve`,
          );
        const url = goModuleZipUrl(module, version, reg);
        return withRepo({
          ...base,
          id: `go:${module}@${version}`,
          kind: 'go-module',
          name: module,
          version,
          urls: [url],
          files: [{ name: url.split('/').pop()!, url }],
          note: 'not yet looked up in the checksum database',
        });
      }
      default: {
        const src = prop(c, 'scannable:source-package');
        return none(
          `no source location is known for ${p.type} packages${src ? ` (source package ${src.replace('@', ' ')})` : ''}`,
        );
      }
    }
  }
  const origin = prop(c, 'scannable:origin');
  const sha256 = c.hashes.find((h) => h.alg === 'SHA-256')?.content;
  switch (origin) {
    case 'context': {
      const p = c.ref.startsWith('file:context:') ? c.ref.slice('file:context:'.length) : c.name;
      return {
        ...base,
        id: `context:${p}`,
        kind: 'context',
        name: p,
        contextPath: p,
        ...(sha256 ? { sha256 } : {}),
        note: 'in the build context',
      };
    }
    case 'remote': {
      const url = c.ref.startsWith('file:remote:') ? c.ref.slice('file:remote:'.length) : c.name;
      const git = gitPin(url);
      if (git) {
        return {
          ...base,
          id: `git:${url}`,
          kind: 'git',
          name: git.repo,
          urls: [git.repo],
          repository: git.repo,
          ...(git.commit
            ? { commit: git.commit, resolved: true }
            : { note: 'no commit recorded: a branch or tag is not a fixed source' }),
        };
      }
      const name = decodeURIComponent(new URL(url, 'http://x/').pathname.split('/').pop() || 'download');
      return {
        ...base,
        id: `remote:${url}`,
        kind: 'remote',
        name: url,
        urls: [url],
        files: [{ name, url, ...(sha256 ? { sha256 } : {}) }],
        resolved: true,
        ...(sha256 ? { sha256 } : { note: 'no digest recorded to verify against' }),
      };
    }
    case 'inline':
      return {
        ...base,
        id: `none:${c.ref}`,
        kind: 'none',
        name: c.name,
        note: 'written from the Dockerfile: the Dockerfile is its source',
      };
    case 'built':
      return {
        ...base,
        id: `none:${c.ref}`,
        kind: 'none',
        name: c.name,
        note: 'built during the build: its sources are the components it was built from',
      };
    case 'unattributed':
      return {
        ...base,
        id: `none:${c.ref}`,
        kind: 'none',
        name: c.name,
        note: 'origin unknown (see the attribution file, "Not attributed")',
      };
    default:
      return {
        ...base,
        id: `none:${c.ref}`,
        kind: 'none',
        name: c.name,
        note: 'the SBOM records no package URL or origin for it',
      };
  }
}

/** Source locations of every component, merged by source and sorted by id. */
export function locateSources(sbom: Sbom, opts: LocateOptions): SourceLocation[] {
  const byId = new Map<string, SourceLocation>();
  const comps = [...sbom.components, ...(opts.includeBuild ? sbom.buildComponents : [])];
  for (const c of comps) {
    const l = locationOf(c, opts);
    if (!l) continue;
    const prev = byId.get(l.id);
    if (prev) {
      if (!prev.components.includes(c.ref)) prev.components.push(c.ref);
      if (!prev.repository && l.repository) prev.repository = l.repository;
      continue;
    }
    byId.set(l.id, l);
  }
  const out = [...byId.values()].sort((a, b) => cmp(a.id, b.id));
  for (const l of out) l.components.sort(cmp);
  return out;
}

export interface ResolveOptions extends LocateOptions, HttpOptions {
  /** Verified Debian index files are kept here between runs. */
  cacheDir?: string;
  /** How many registry look-ups run at once. */
  concurrency?: number;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'scannable', 'debian-sources');
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * Confirms locations with the mirror and registries: exact files and digests.
 * A look-up that fails leaves the location unresolved with the reason; it
 * never throws.
 */
export async function resolveSources(locations: SourceLocation[], opts: ResolveOptions): Promise<SourceLocation[]> {
  const reg = opts.registries ?? DEFAULT_REGISTRIES;
  const http = { timeoutMs: opts.timeoutMs };
  const out = locations.map((l) => ({
    ...l,
    components: [...l.components],
    urls: [...l.urls],
    files: l.files.map((f) => ({ ...f })),
  }));

  // Debian: one pass over each suite's index per release.
  const byRelease = new Map<string, SourceLocation[]>();
  for (const l of out) {
    if (l.kind !== 'debian-source' || !l.codename) continue;
    byRelease.set(l.codename, [...(byRelease.get(l.codename) ?? []), l]);
  }
  for (const [codename, list] of byRelease) {
    const found = await lookupDebSources(
      list.map((l) => ({ name: l.name, version: l.version! })),
      codename,
      opts.mirror,
      { timeoutMs: opts.timeoutMs, cacheDir: opts.cacheDir ?? defaultCacheDir() },
    );
    for (const l of list) {
      const hit = found.found.get(`${l.name}@${l.version}`);
      if (hit) {
        Object.assign(l, {
          resolved: true,
          suite: hit.suite,
          urls: [hit.dsc],
          files: hit.files.map((f) => ({ name: f.name, url: f.url, size: f.size, sha256: f.sha256 })),
        });
        delete l.note;
        continue;
      }
      const others = found.otherVersions.get(l.name);
      const suites = [...new Set(found.searched.map((x) => x.split('/')[0]!))];
      const searched = suites.length ? suites.join(', ') : 'no index could be read';
      const why = [`${l.name} ${l.version} is not in the mirror's indices (${searched})`];
      if (others?.length) why.push(`they have ${others.join(', ')}`);
      if (found.errors.length) why.push(`could not read: ${found.errors.join('; ')}`);
      l.note = why.join('; ') + '; older versions are kept at snapshot.debian.org';
    }
  }

  await mapLimit(
    out.filter((l) => ['npm', 'pypi', 'gem', 'go-module'].includes(l.kind)),
    opts.concurrency ?? 4,
    async (l) => {
      try {
        if (l.kind === 'npm') l.files = [await resolveNpm(l.name, l.version!, http, reg)];
        else if (l.kind === 'pypi') l.files = [await resolvePypi(l.name, l.version!, http, reg)];
        else if (l.kind === 'gem') l.files = [await resolveGem(l.name, l.version!, l.platform, http, reg)];
        else if (l.kind === 'go-module')
          l.files = [{ ...l.files[0]!, h1: await resolveGoSum(l.name, l.version!, http, reg) }];
        l.urls = [l.files[0]!.url];
        l.resolved = true;
        delete l.note;
      } catch (e) {
        l.note = `look-up failed: ${describeError(e, l.urls[0] ?? '', opts.timeoutMs)}`;
      }
    },
  );
  return out;
}
