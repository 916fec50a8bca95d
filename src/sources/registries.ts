/**
 * Source artefacts of language packages: where each registry keeps them (a
 * URL pattern, usable offline) and the digest to verify them against (asked of
 * the registry).
 *
 * - npm: the registry's version document gives `dist.tarball` and `dist.integrity` (sha512).
 * - PyPI: the sdist; the JSON API gives its file name, URL and sha256.
 * - RubyGems: the .gem (its data.tar.gz is the source); the v2 API gives its sha256.
 * - Go: the module proxy's zip; sum.golang.org gives its `h1:` hash (checked with dirHash1).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { FetchError, getBytes, getJson, type HttpOptions } from './http.js';

export interface RegistryConfig {
  npm: string;
  pypi: string;
  pypiFiles: string;
  rubygems: string;
  goproxy: string;
  gosumdb: string;
}

export const DEFAULT_REGISTRIES: RegistryConfig = {
  npm: 'https://registry.npmjs.org',
  pypi: 'https://pypi.org',
  pypiFiles: 'https://files.pythonhosted.org',
  rubygems: 'https://rubygems.org',
  goproxy: 'https://proxy.golang.org',
  gosumdb: 'https://sum.golang.org',
};

/** A file to download and what it must hash to. */
export interface SourceFileSpec {
  name: string;
  url: string;
  size?: number;
  sha256?: string;
  /** Hex. */
  sha512?: string;
  /** Go's `h1:` dirhash of the module zip. */
  h1?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- npm

/** `@scope/name` -> `@scope%2fname` as the registry wants it in a document URL. */
function npmDocName(name: string): string {
  return name.startsWith('@') ? name.replace('/', '%2f') : name;
}

/** The tarball's conventional URL: `<registry>/<name>/-/<basename>-<version>.tgz`. */
export function npmTarballUrl(name: string, version: string, reg = DEFAULT_REGISTRIES): string {
  const base = name.startsWith('@') ? name.split('/')[1]! : name;
  return `${reg.npm}/${name}/-/${base}-${version}.tgz`;
}

/** `sha512-<base64>` (an SRI string, possibly several) -> hex of the sha512. */
export function sriSha512(integrity: string): string | undefined {
  for (const part of integrity.split(/\s+/)) {
    const m = /^sha512-([A-Za-z0-9+/=]+)$/.exec(part);
    if (m) return Buffer.from(m[1]!, 'base64').toString('hex');
  }
  return undefined;
}

export async function resolveNpm(
  name: string,
  version: string,
  opts: HttpOptions,
  reg = DEFAULT_REGISTRIES,
): Promise<SourceFileSpec> {
  const url = `${reg.npm}/${npmDocName(name)}/${encodeURIComponent(version)}`;
  const doc = await getJson(url, opts);
  const dist = isObj(doc) && isObj(doc.dist) ? doc.dist : undefined;
  const tarball = typeof dist?.tarball === 'string' ? dist.tarball : undefined;
  if (!tarball) throw new FetchError(`${url} has no dist.tarball`);
  const sha512 = typeof dist?.integrity === 'string' ? sriSha512(dist.integrity) : undefined;
  if (!sha512) throw new FetchError(`${url} has no sha512 integrity to verify the tarball against`);
  return { name: tarball.split('/').pop()!, url: tarball, sha512 };
}

// ---- PyPI

/** PEP 503 normalised project name. */
export function pypiNormalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The sdist's conventional URL on files.pythonhosted.org (which redirects to the stored file). */
export function pypiSdistUrl(name: string, version: string, reg = DEFAULT_REGISTRIES): string {
  return `${reg.pypiFiles}/packages/source/${name[0]}/${name}/${name}-${version}.tar.gz`;
}

export async function resolvePypi(
  name: string,
  version: string,
  opts: HttpOptions,
  reg = DEFAULT_REGISTRIES,
): Promise<SourceFileSpec> {
  const url = `${reg.pypi}/pypi/${encodeURIComponent(pypiNormalize(name))}/${encodeURIComponent(version)}/json`;
  const doc = await getJson(url, opts);
  const urls = isObj(doc) && Array.isArray(doc.urls) ? doc.urls.filter(isObj) : [];
  const sdist = urls.find((u) => u.packagetype === 'sdist');
  if (!sdist || typeof sdist.url !== 'string' || typeof sdist.filename !== 'string')
    throw new FetchError(`PyPI has no source distribution of ${name} ${version}`);
  const sha256 = isObj(sdist.digests) && typeof sdist.digests.sha256 === 'string' ? sdist.digests.sha256 : undefined;
  if (!sha256) throw new FetchError(`${url} gives no sha256 for ${sdist.filename}`);
  return {
    name: sdist.filename,
    url: sdist.url,
    sha256,
    ...(typeof sdist.size === 'number' ? { size: sdist.size } : {}),
  };
}

// ---- RubyGems

export function gemFileName(name: string, version: string, platform?: string): string {
  return platform && platform !== 'ruby' ? `${name}-${version}-${platform}.gem` : `${name}-${version}.gem`;
}

export function gemUrl(name: string, version: string, platform?: string, reg = DEFAULT_REGISTRIES): string {
  return `${reg.rubygems}/downloads/${gemFileName(name, version, platform)}`;
}

export async function resolveGem(
  name: string,
  version: string,
  platform: string | undefined,
  opts: HttpOptions,
  reg = DEFAULT_REGISTRIES,
): Promise<SourceFileSpec> {
  const q = platform && platform !== 'ruby' ? `?platform=${encodeURIComponent(platform)}` : '';
  const url = `${reg.rubygems}/api/v2/rubygems/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}.json${q}`;
  const doc = await getJson(url, opts);
  const sha = isObj(doc) && typeof doc.sha === 'string' ? doc.sha : undefined;
  if (!sha || !/^[0-9a-f]{64}$/.test(sha)) throw new FetchError(`${url} gives no sha256 for the gem`);
  return { name: gemFileName(name, version, platform), url: gemUrl(name, version, platform, reg), sha256: sha };
}

// ---- Go modules

/** Module proxy case encoding: each upper-case letter becomes '!' and its lower case. */
export function goEscape(s: string): string {
  return s.replace(/[A-Z]/g, (c) => '!' + c.toLowerCase());
}

export function goModuleZipUrl(module: string, version: string, reg = DEFAULT_REGISTRIES): string {
  return `${reg.goproxy}/${goEscape(module)}/@v/${goEscape(version)}.zip`;
}

/** The `h1:` hash of a module zip as the checksum database records it. */
export async function resolveGoSum(
  module: string,
  version: string,
  opts: HttpOptions,
  reg = DEFAULT_REGISTRIES,
): Promise<string> {
  const url = `${reg.gosumdb}/lookup/${goEscape(module)}@${goEscape(version)}`;
  const text = (await getBytes(url, { ...opts, maxBytes: 1 << 20 })).toString('utf8');
  for (const line of text.split('\n')) {
    const [m, v, h] = line.trim().split(/\s+/);
    if (m === module && v === version && h?.startsWith('h1:')) return h;
  }
  throw new FetchError(`${url} has no h1 hash for ${module} ${version}`);
}

/**
 * Go's dirhash "h1" of a module zip: sha256 over the sorted lines
 * "<sha256 hex of file>  <file name>\n", base64, prefixed "h1:".
 */
export function dirHash1(zipFile: string): string {
  const entries = readZip(readFileSync(zipFile));
  const lines = entries
    .map((e) => ({ name: e.name, sum: createHash('sha256').update(e.data).digest('hex') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => {
      if (e.name.includes('\n')) throw new FetchError(`file name with a newline in ${zipFile}`);
      return `${e.sum}  ${e.name}\n`;
    })
    .join('');
  return 'h1:' + createHash('sha256').update(lines).digest('base64');
}

/** Reads the files of a (non-ZIP64) zip archive: stored and deflated entries. */
export function readZip(buf: Buffer): Array<{ name: string; data: Buffer }> {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FetchError('not a zip archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (p === 0xffffffff || count === 0xffff) throw new FetchError('ZIP64 archives are not supported');
  const out: Array<{ name: string; data: Buffer }> = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50)
      throw new FetchError('corrupt zip central directory');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue; // directories carry no content and are not hashed
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50)
      throw new FetchError(`corrupt zip local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    if (method === 0) out.push({ name, data: Buffer.from(raw) });
    else if (method === 8) out.push({ name, data: inflateRawSync(raw) });
    else throw new FetchError(`zip entry ${name} uses compression method ${method}`);
  }
  return out;
}
