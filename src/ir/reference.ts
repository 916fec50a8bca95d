/**
 * Image references with the grammar of distribution/reference (what docker and
 * BuildKit accept): `[domain[:port]/]path[:tag][@digest]`, normalised the way
 * docker does (`alpine` -> `docker.io/library/alpine:latest`).
 */

export interface ImageReference {
  /** docker.io, ghcr.io, localhost:5000, ... */
  domain: string;
  /** Repository path within the domain: library/alpine, org/app. */
  path: string;
  tag?: string;
  digest?: string;
}

export type ReferenceOutcome = { ok: true; ref: ImageReference } | { ok: false; error: string };

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[_.]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const PATH = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_DOMAIN = new RegExp(`^${DOMAIN}$`);
const NAME_TOTAL_LENGTH_MAX = 255;

export const DEFAULT_DOMAIN = 'docker.io';

function splitDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf('/');
  const first = i < 0 ? '' : name.slice(0, i);
  if (i < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    const path = name;
    return { domain: DEFAULT_DOMAIN, path: path.includes('/') ? path : `library/${path}` };
  }
  let domain = first;
  let path = name.slice(i + 1);
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  return { domain, path };
}

/** docker's ParseNormalizedNamed. */
export function parseImageReference(s: string): ReferenceOutcome {
  if (s === '') return { ok: false, error: 'invalid reference format' };
  // A reference with upper case in its path is refused with a specific message.
  const atDigest = s.indexOf('@');
  const namePart = atDigest < 0 ? s : s.slice(0, atDigest);
  const lastColon = namePart.lastIndexOf(':');
  const lastSlash = namePart.lastIndexOf('/');
  const nameOnly = lastColon > lastSlash ? namePart.slice(0, lastColon) : namePart;
  const { domain, path } = splitDomain(nameOnly);
  if (path !== path.toLowerCase()) {
    return { ok: false, error: `invalid reference format: repository name (${path}) must be lowercase` };
  }
  const m = REFERENCE.exec(`${domain}/${path}${s.slice(nameOnly.length)}`);
  if (!m) return { ok: false, error: 'invalid reference format' };
  if (m[1]!.length > NAME_TOTAL_LENGTH_MAX)
    return { ok: false, error: `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters` };
  if (!ANCHORED_DOMAIN.test(domain)) return { ok: false, error: 'invalid reference format' };
  const ref: ImageReference = { domain, path };
  if (m[2]) ref.tag = m[2];
  if (m[3]) ref.digest = m[3];
  return { ok: true, ref };
}

/** `docker.io/library/alpine:3.20` (tag `latest` added when there is neither tag nor digest). */
export function formatReference(r: ImageReference, addLatest = true): string {
  let out = `${r.domain}/${r.path}`;
  if (r.tag) out += `:${r.tag}`;
  else if (!r.digest && addLatest) out += ':latest';
  if (r.digest) out += `@${r.digest}`;
  return out;
}

/** The short form docker prints: `alpine:3.20`, `org/app:1`, `ghcr.io/x/y:z`. */
export function familiarReference(r: ImageReference): string {
  let name = `${r.domain}/${r.path}`;
  if (r.domain === DEFAULT_DOMAIN) name = r.path.startsWith('library/') ? r.path.slice(8) : r.path;
  return name + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}
