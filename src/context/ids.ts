/**
 * `--chown` values: numeric ids pass through; names are looked up in the
 * image's own /etc/passwd and /etc/group (a build never consults the host's).
 */
import { UserError } from '../common/diagnostics.js';

export interface IdLookup {
  /** uid and primary gid of a user name. */
  user(name: string): { uid: number; gid: number } | undefined;
  group(name: string): number | undefined;
}

/** A lookup over the text of an image's /etc/passwd and /etc/group (either may be absent). */
export function idLookupFromFiles(passwd: string | undefined, group: string | undefined): IdLookup {
  const users = new Map<string, { uid: number; gid: number }>();
  for (const line of (passwd ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !f[0] || line.startsWith('#')) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid) && !users.has(f[0])) users.set(f[0], { uid, gid });
  }
  const groups = new Map<string, number>();
  for (const line of (group ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || !f[0] || line.startsWith('#')) continue;
    const gid = Number(f[2]);
    if (Number.isInteger(gid) && !groups.has(f[0])) groups.set(f[0], gid);
  }
  return { user: (n) => users.get(n), group: (n) => groups.get(n) };
}

const NUMERIC = /^[0-9]+$/;

/**
 * "user", "user:group", "uid:gid", mixed. A user without a group gets the
 * user's primary group (BuildKit's rule; a numeric uid alone uses the same number).
 */
export function parseChown(
  spec: string,
  ids: IdLookup | undefined,
  instruction = 'COPY',
): { uid: number; gid: number } {
  const parts = spec.split(':');
  if (parts.length > 2 || parts[0] === '')
    throw new UserError(`${instruction} --chown=${spec}: expected user, user:group, uid or uid:gid`);
  const [userPart, groupPart] = parts as [string, string | undefined];
  let uid: number;
  let primary: number | undefined;
  if (NUMERIC.test(userPart)) {
    uid = Number(userPart);
    primary = uid;
  } else {
    const u = ids?.user(userPart);
    if (!u) throw new UserError(`${instruction} --chown=${spec}: no user ${userPart} in the image's /etc/passwd`);
    uid = u.uid;
    primary = u.gid;
  }
  if (groupPart === undefined || groupPart === '') return { uid, gid: primary };
  if (NUMERIC.test(groupPart)) return { uid, gid: Number(groupPart) };
  const g = ids?.group(groupPart);
  if (g === undefined)
    throw new UserError(`${instruction} --chown=${spec}: no group ${groupPart} in the image's /etc/group`);
  return { uid, gid: g };
}

/** `--chmod` in octal ("755", "0644"); docker's classic form. */
export function parseChmod(spec: string, instruction = 'COPY'): number {
  if (!/^[0-7]{1,4}$/.test(spec))
    throw new UserError(`${instruction} --chmod=${spec}: expected an octal mode such as 755 or 0644`);
  return parseInt(spec, 8);
}
