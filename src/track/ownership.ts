/**
 * File ownership: which package put each path of a snapshot there, or which
 * tool generated it. Paths are compared after resolving the image's own
 * symlinked directories (merged /usr: dpkg lists "/lib/x86_64-linux-gnu/libc.so.6",
 * the file lives at "/usr/lib/x86_64-linux-gnu/libc.so.6"), dpkg diversions
 * move a package's file to its diverted name, and update-alternatives links
 * are attributed to update-alternatives rather than left unowned.
 */
import type { FileEntry, SnapshotFs } from '../snapshot/fs.js';
import type { Package } from './package.js';
import { canonicalPath, normalizePath } from '../snapshot/paths.js';
import { compileGlobs } from './catalogers/glob.js';
import { readText, MiB } from './catalogers/util.js';

export type Owner =
  | {
      kind: 'package';
      /** The package whose database lists the path (OS package managers take precedence). */
      pkg: Package;
      /** How the path was matched: the package's file list, or its file moved by dpkg-divert. */
      via: 'file-list' | 'diversion';
      /** Other packages listing the same path (shared directories, a pip package inside a deb). */
      also: Package[];
    }
  | { kind: 'generated'; by: string; reason: string };

export interface GeneratedRule {
  /** Path glob (see catalogers/glob.ts). */
  pattern: string;
  /** The tool that creates such paths. */
  by: string;
  reason: string;
  /** Applies only when this path exists in the snapshot (evidence of the tool having run). */
  onlyIf?: string;
}

/**
 * Paths package managers and their helpers create at install time: databases,
 * caches, logs, indexes, links. They belong to no package's file list.
 */
export const GENERATED_RULES: readonly GeneratedRule[] = [
  { pattern: '/var/lib/dpkg/**', by: 'dpkg', reason: 'package database' },
  { pattern: '/var/log/dpkg.log', by: 'dpkg', reason: 'log' },
  { pattern: '/var/lib/apt/**', by: 'apt', reason: 'package lists and state' },
  { pattern: '/var/cache/apt/**', by: 'apt', reason: 'package cache' },
  { pattern: '/var/log/apt/**', by: 'apt', reason: 'log' },
  { pattern: '/var/cache/debconf/**', by: 'debconf', reason: 'configuration database' },
  { pattern: '/var/log/alternatives.log', by: 'update-alternatives', reason: 'log' },
  { pattern: '/etc/alternatives/*', by: 'update-alternatives', reason: 'alternatives link' },
  { pattern: '/var/log/bootstrap.log', by: 'debootstrap', reason: 'log' },
  // debootstrap writes these itself (setup_etc, setup_proc); its log proves it ran.
  { pattern: '/etc/{fstab,mtab}', by: 'debootstrap', reason: 'base system setup', onlyIf: '/var/log/bootstrap.log' },
  {
    pattern: '/etc/apt/sources.list',
    by: 'debootstrap',
    reason: 'mirror used to bootstrap',
    onlyIf: '/var/log/bootstrap.log',
  },
  { pattern: '/etc/ld.so.cache', by: 'ldconfig', reason: 'shared library cache' },
  { pattern: '/var/cache/ldconfig/**', by: 'ldconfig', reason: 'shared library cache' },
  {
    pattern: '/usr/lib/*/gconv/gconv-modules.cache',
    by: 'iconvconfig',
    reason: 'gconv module cache (libc-bin trigger)',
  },
  { pattern: '/usr/lib/locale/locale-archive', by: 'localedef', reason: 'compiled locales' },
  { pattern: '/usr/share/info/dir', by: 'install-info', reason: 'info directory index' },
  { pattern: '/usr/share/info/dir.old', by: 'install-info', reason: 'info directory index backup' },
  { pattern: '/etc/ssl/certs/*', by: 'update-ca-certificates', reason: 'certificate hash links and bundle' },
  {
    pattern: '/etc/ca-certificates.conf',
    by: 'ca-certificates (postinst)',
    reason: 'selection of trusted certificates',
  },
  { pattern: '/etc/{passwd,group}', by: 'base-passwd (update-passwd)', reason: 'user and group database' },
  { pattern: '/etc/{passwd,group,shadow,gshadow}-', by: 'shadow tools', reason: 'user database backup' },
  { pattern: '/etc/{shadow,gshadow}', by: 'passwd (pwconv/grpconv)', reason: 'shadow password database' },
  { pattern: '/etc/{subuid,subgid}', by: 'passwd (useradd)', reason: 'subordinate id ranges' },
  { pattern: '/etc/.pwd.lock', by: 'shadow tools', reason: 'lock file' },
  { pattern: '/etc/shells', by: 'debianutils (update-shells)', reason: 'list of login shells' },
  { pattern: '/var/lib/shells.state', by: 'debianutils (update-shells)', reason: 'state' },
  { pattern: '/etc/{localtime,timezone}', by: 'tzdata (postinst)', reason: 'time zone selection' },
  { pattern: '/etc/systemd/system/**', by: 'deb-systemd-helper', reason: 'unit enablement links' },
  { pattern: '/var/lib/systemd/deb-systemd-helper-enabled/**', by: 'deb-systemd-helper', reason: 'state' },
  { pattern: '/var/lib/systemd/catalog/database', by: 'journalctl --update-catalog', reason: 'message catalog' },
  { pattern: '/etc/rc[0-6S].d/*', by: 'update-rc.d', reason: 'init script links' },
  { pattern: '/var/lib/pam/**', by: 'pam-auth-update', reason: 'state' },
  { pattern: '/etc/pam.d/common-*', by: 'pam-auth-update', reason: 'generated from /usr/share/pam-configs' },
  { pattern: '/var/lib/ucf/**', by: 'ucf', reason: 'configuration file state' },
  { pattern: '/etc/machine-id', by: 'systemd-machine-id-setup', reason: 'machine id' },
  { pattern: '/var/lib/dbus/machine-id', by: 'dbus', reason: 'machine id' },
  {
    pattern: '/etc/{hostname,hosts,resolv.conf}',
    by: 'container runtime',
    reason: 'written by the engine into every container',
  },
  { pattern: '/.dockerenv', by: 'container runtime', reason: 'written by the engine into every container' },
  { pattern: '/var/log/**', by: 'logging', reason: 'log written while the image was built' },
  { pattern: '/**/__pycache__/*.pyc', by: 'python (py3compile/pip)', reason: 'byte-compiled module' },
  { pattern: '/**/*.py[co]', by: 'python (py3compile/pip)', reason: 'byte-compiled module' },
  { pattern: '/lib/apk/db/**', by: 'apk', reason: 'package database' },
  { pattern: '/var/lib/apk/**', by: 'apk', reason: 'package database' },
  { pattern: '/var/cache/apk/**', by: 'apk', reason: 'package cache' },
  { pattern: '/etc/apk/world', by: 'apk', reason: 'installed package selection' },
  { pattern: '/var/lib/rpm/**', by: 'rpm', reason: 'package database' },
  { pattern: '/usr/lib/sysimage/rpm/**', by: 'rpm', reason: 'package database' },
  { pattern: '/var/{cache,lib}/{dnf,yum}/**', by: 'dnf/yum', reason: 'package manager state and cache' },
];

export interface Diversion {
  /** The path the diverting package (or the admin) now owns. */
  from: string;
  /** Where other packages' copy of `from` is put instead. */
  to: string;
  /** The diverting package, or undefined for a local (administrator's) diversion. */
  by?: string;
}

/** /var/lib/dpkg/diversions: groups of three lines (from, to, package or ":" for local). */
export function parseDiversions(text: string): Diversion[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const out: Diversion[] = [];
  for (let i = 0; i + 2 < lines.length; i += 3) {
    const [from, to, by] = [lines[i]!, lines[i + 1]!, lines[i + 2]!];
    if (!from.startsWith('/') || !to.startsWith('/')) break;
    out.push({ from, to, by: by === ':' ? undefined : by });
  }
  return out;
}

export interface AlternativeGroup {
  name: string;
  mode: string;
  /** Master link (e.g. /usr/bin/awk) and slave links, each pointing into /etc/alternatives. */
  links: { name: string; link: string }[];
}

/** One /var/lib/dpkg/alternatives/<name> file: mode, master link, then slave name/link pairs up to a blank line. */
export function parseAlternatives(name: string, text: string): AlternativeGroup | undefined {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const mode = lines[0];
  const master = lines[1];
  if (!mode || !master?.startsWith('/')) return undefined;
  const links = [{ name, link: master }];
  for (let i = 2; i + 1 < lines.length && lines[i] !== ''; i += 2) {
    const link = lines[i + 1]!;
    if (link.startsWith('/')) links.push({ name: lines[i]!, link });
  }
  return { name, mode, links };
}

export interface GeneratedPath {
  path: string;
  by: string;
  reason: string;
}

export interface OwnershipReport {
  /** Canonical path -> owner, for every path a package lists or a rule/tool accounts for. */
  owners: Map<string, Owner>;
  /** Snapshot paths (files and symlinks) attributed to a tool, not a package. */
  generated: GeneratedPath[];
  /** Regular files and symlinks with neither an owner nor a generated tag. */
  unowned: string[];
  /** Paths a package lists that are not in the snapshot (removed docs, excluded paths). */
  missing: { path: string; pkg: Package }[];
  counts: { considered: number; owned: number; generated: number; unowned: number };
}

/** Regular files, hardlinks and symlinks: what coverage is measured over. */
function counted(e: FileEntry): boolean {
  return e.kind === 'file' || e.kind === 'symlink' || e.kind === 'hardlink';
}

interface Script {
  pkg: string;
  path: string;
  text: string;
}

/** dpkg maintainer scripts: postinst and friends create files from templates (base-files: /etc/profile). */
function maintainerScripts(fs: SnapshotFs): Script[] {
  const out: Script[] = [];
  for (const e of fs.list('/var/lib/dpkg/info')) {
    const m = /\/([^/]+?)(?::[^/.]+)?\.(preinst|postinst|config)$/.exec(e.path);
    if (!m || e.kind !== 'file') continue;
    const t = readText(fs, e.path, MiB);
    if (t.ok) out.push({ pkg: m[1]!, path: e.path, text: t.value });
  }
  return out;
}

/** The script names `path` literally, not as the prefix of a longer path ("/etc/profile" vs "/etc/profile.d"). */
function mentions(text: string, path: string): boolean {
  for (let i = text.indexOf(path); i >= 0; i = text.indexOf(path, i + 1)) {
    const next = text[i + path.length];
    if (next === undefined || !/[A-Za-z0-9._\-/]/.test(next)) return true;
  }
  return false;
}

export function mapOwnership(fs: SnapshotFs, packages: readonly Package[]): OwnershipReport {
  const dirCache = new Map<string, string | null>();
  const canon = (p: string): string => canonicalPath(fs, p, dirCache);
  const entries = new Map<string, FileEntry>();
  for (const e of fs.entries()) entries.set(e.path, e);
  const owners = new Map<string, Owner>();
  const missing: { path: string; pkg: Package }[] = [];
  const generated: GeneratedPath[] = [];

  const tag = (path: string, by: string, reason: string): void => {
    if (owners.has(path)) return;
    owners.set(path, { kind: 'generated', by, reason });
  };

  // Diversions: dpkg writes other packages' copy of `from` to `to`.
  const diversions = new Map<string, Diversion>();
  const div = readText(fs, '/var/lib/dpkg/diversions', 16 * MiB);
  if (div.ok) for (const d of parseDiversions(div.value)) diversions.set(canon(d.from), d);

  // A directory a package lists that the image made a symlink (merged /usr "/bin").
  const listedDirs = new Set<string>();
  for (const pkg of packages) {
    for (const f of pkg.files) {
      const n = normalizePath(f);
      const i = n.lastIndexOf('/');
      if (i > 0) listedDirs.add(n.slice(0, i));
    }
  }

  for (const pkg of packages) {
    for (const listed of pkg.files) {
      let path = canon(listed);
      let via: 'file-list' | 'diversion' = 'file-list';
      const d = diversions.get(path);
      if (d && d.by !== pkg.name) {
        path = canon(d.to);
        via = 'diversion';
      }
      const entry = entries.get(path);
      if (!entry) {
        missing.push({ path, pkg });
        continue;
      }
      if (entry.kind === 'symlink' && listedDirs.has(normalizePath(listed))) {
        const target = fs.resolve(path);
        if (target && entries.get(target)?.kind === 'dir') {
          tag(path, 'merged /usr (usrmerge or debootstrap)', `directory ${listed} made a link to ${target}`);
          continue;
        }
      }
      const existing = owners.get(path);
      if (!existing) owners.set(path, { kind: 'package', pkg, via, also: [] });
      else if (existing.kind === 'package' && existing.pkg !== pkg && !existing.also.includes(pkg))
        existing.also.push(pkg);
    }
  }

  // update-alternatives: /etc/alternatives/<name> and the links pointing to it.
  for (const e of fs.list('/var/lib/dpkg/alternatives')) {
    if (e.kind !== 'file') continue;
    const t = readText(fs, e.path, MiB);
    if (!t.ok) continue;
    const group = parseAlternatives(e.path.slice(e.path.lastIndexOf('/') + 1), t.value);
    if (!group) continue;
    for (const { name, link } of group.links) {
      tag(canon(link), 'update-alternatives', `${group.name} alternative link`);
      tag(canon(`/etc/alternatives/${name}`), 'update-alternatives', `${group.name} alternative link`);
    }
  }

  const rules = GENERATED_RULES.filter((r) => !r.onlyIf || entries.has(r.onlyIf)).map((r) => ({
    ...r,
    test: compileGlobs([r.pattern]),
  }));
  const scripts = maintainerScripts(fs);
  const unowned: string[] = [];
  let considered = 0;
  let owned = 0;
  for (const e of entries.values()) {
    let o = owners.get(e.path);
    if (!o) {
      const rule = rules.find((r) => r.test(e.path));
      if (rule) {
        o = { kind: 'generated', by: rule.by, reason: rule.reason };
        owners.set(e.path, o);
      } else if (counted(e)) {
        const script = scripts.find((s) => mentions(s.text, e.path));
        if (script) {
          o = { kind: 'generated', by: `${script.pkg} (maintainer script)`, reason: `named in ${script.path}` };
          owners.set(e.path, o);
        }
      }
    }
    if (!counted(e)) continue;
    considered++;
    if (!o) unowned.push(e.path);
    else if (o.kind === 'package') owned++;
    else generated.push({ path: e.path, by: o.by, reason: o.reason });
  }
  unowned.sort();
  generated.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    owners,
    generated,
    unowned,
    missing,
    counts: { considered, owned, generated: generated.length, unowned: unowned.length },
  };
}
