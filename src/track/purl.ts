/**
 * Package URLs in the canonical form of ECMA-427 (the purl specification):
 * every character outside A-Z a-z 0-9 . - _ ~ is percent-encoded (UTF-8,
 * upper-case hex) except ':' which is never encoded; qualifiers are sorted by
 * key and empty ones dropped. So "7.88.1-10+deb12u12" is written
 * "7.88.1-10%2Bdeb12u12", as in the spec's own "attr@1:2.4.47-2%2Bb1".
 */

function encodeComponent(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-_~:]/.test(c)) out += c;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
  subpath?: string;
}

export function formatPurl(p: PurlParts): string {
  let s = 'pkg:' + p.type.toLowerCase() + '/';
  if (p.namespace) {
    s += p.namespace.split('/').filter(Boolean).map(encodeComponent).join('/') + '/';
  }
  s += encodeComponent(p.name);
  if (p.version) s += '@' + encodeComponent(p.version);
  const quals = Object.entries(p.qualifiers ?? {})
    .filter((kv): kv is [string, string] => kv[1] !== undefined && kv[1] !== '')
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (quals.length) s += '?' + quals.map(([k, v]) => `${k}=${encodeComponent(v)}`).join('&');
  if (p.subpath) {
    const segs = p.subpath.split('/').filter((x) => x && x !== '.' && x !== '..');
    if (segs.length) s += '#' + segs.map(encodeComponent).join('/');
  }
  return s;
}

/** pkg:deb/<vendor>/<name>@<version>?arch=..&distro=<id>-<version_id> */
export function debPurl(o: { vendor: string; name: string; version?: string; arch?: string; distro?: string }): string {
  return formatPurl({
    type: 'deb',
    namespace: o.vendor.toLowerCase(),
    name: o.name.toLowerCase(),
    version: o.version,
    qualifiers: { arch: o.arch, distro: o.distro },
  });
}

/** pkg:apk/<vendor>/<name>@<version>?arch=.. */
export function apkPurl(o: { vendor: string; name: string; version?: string; arch?: string; distro?: string }): string {
  return formatPurl({
    type: 'apk',
    namespace: o.vendor.toLowerCase(),
    name: o.name.toLowerCase(),
    version: o.version,
    qualifiers: { arch: o.arch, distro: o.distro },
  });
}

/** pkg:rpm/<vendor>/<name>@<version>-<release>?arch=..&epoch=.. (name is case sensitive) */
export function rpmPurl(o: {
  vendor: string;
  name: string;
  version?: string;
  release?: string;
  epoch?: string | number;
  arch?: string;
  distro?: string;
}): string {
  const v = o.version === undefined ? undefined : o.release ? `${o.version}-${o.release}` : o.version;
  return formatPurl({
    type: 'rpm',
    namespace: o.vendor.toLowerCase(),
    name: o.name,
    version: v,
    qualifiers: { arch: o.arch, epoch: o.epoch === undefined ? undefined : String(o.epoch), distro: o.distro },
  });
}

/** pkg:pypi/<name>: lower-cased, "_" written "-", per the pypi type definition. */
export function pypiPurl(name: string, version?: string): string {
  return formatPurl({ type: 'pypi', name: name.toLowerCase().replace(/_/g, '-'), version });
}

/** pkg:npm/%40scope/name@version, or pkg:npm/name@version. */
export function npmPurl(fullName: string, version?: string): string {
  const m = /^(@[^/]+)\/(.+)$/.exec(fullName);
  return m
    ? formatPurl({ type: 'npm', namespace: m[1]!, name: m[2]!, version })
    : formatPurl({ type: 'npm', name: fullName, version });
}

export function gemPurl(name: string, version?: string, platform?: string): string {
  // "ruby" is the default platform and is left out, as RubyGems itself does in file names.
  return formatPurl({
    type: 'gem',
    name,
    version,
    qualifiers: { platform: platform && platform !== 'ruby' ? platform : undefined },
  });
}

/**
 * pkg:golang/<module path minus last segment>/<last segment>@<version>.
 * Case is kept: Go module paths are case sensitive and lower-casing
 * "github.com/Azure/..." would name a module that does not exist.
 */
export function golangPurl(modulePath: string, version?: string): string {
  const segs = modulePath.split('/').filter(Boolean);
  const name = segs.pop() ?? modulePath;
  return formatPurl({ type: 'golang', namespace: segs.join('/') || undefined, name, version });
}
