/**
 * Debian packages as test fixtures, fetched at test time with apt (nothing
 * third-party is committed): `apt-get download` into a temp dir, then
 * `dpkg-deb -x`. Runs `apt-get update` once when the lists are missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const hasApt = existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/dpkg-deb');
export const isRoot = process.getuid?.() === 0;

function tryDownload(dir: string, pkgs: string[]): boolean {
  return spawnSync('apt-get', ['download', '-q', ...pkgs], { cwd: dir, encoding: 'utf8' }).status === 0;
}

/** Download and unpack Debian packages into one root; returns the root directory. */
export function unpackDebs(pkgs: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-debs-'));
  if (!tryDownload(dir, pkgs)) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    if (!tryDownload(dir, pkgs)) throw new Error(`apt-get download ${pkgs.join(' ')} failed`);
  }
  const root = path.join(dir, 'root');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.deb'))) {
    execFileSync('dpkg-deb', ['-x', path.join(dir, f), root]);
  }
  return root;
}

/** Make sure a Debian package is installed (root only); false when it cannot be. */
export function ensureInstalled(pkg: string, binary: string): boolean {
  if (existsSync(binary)) return true;
  if (!isRoot || !hasApt) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env, stdio: 'ignore' });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env, stdio: 'ignore' });
  }
  return existsSync(binary);
}
