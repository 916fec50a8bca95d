/** Parsing package URLs (ECMA-427) back into their parts, for finding a package's source. */

export interface ParsedPurl {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers: Record<string, string>;
  subpath?: string;
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Parses `pkg:type/namespace/name@version?qualifiers#subpath`; undefined when it is not a purl. */
export function parsePurl(purl: string): ParsedPurl | undefined {
  const m = /^pkg:([A-Za-z.+-][A-Za-z0-9.+-]*)\/+([^?#]+)(?:\?([^#]*))?(?:#(.*))?$/.exec(purl);
  if (!m) return undefined;
  let path = m[2]!.replace(/\/+$/, '');
  let version: string | undefined;
  const at = path.lastIndexOf('@');
  // An '@' in the first segment of an npm scope is written %40, so a literal '@' is the version separator.
  if (at > 0) {
    version = decode(path.slice(at + 1));
    path = path.slice(0, at);
  }
  const segs = path.split('/').map(decode);
  const name = segs.pop()!;
  if (!name) return undefined;
  const qualifiers: Record<string, string> = {};
  for (const kv of (m[3] ?? '').split('&')) {
    if (!kv) continue;
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    qualifiers[kv.slice(0, eq).toLowerCase()] = decode(kv.slice(eq + 1));
  }
  const out: ParsedPurl = { type: m[1]!.toLowerCase(), name, qualifiers };
  if (segs.length) out.namespace = segs.join('/');
  if (version) out.version = version;
  if (m[4]) out.subpath = decode(m[4]);
  return out;
}
