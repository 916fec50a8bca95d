/**
 * PackageInstall: what a package manager command installs. Each manager's
 * real options are known, so that option values (`--virtual .build-deps`,
 * `-o Dpkg::Options=...`, `-r requirements.txt`) are not taken for packages.
 */
import { basename, has, options, parseArgs, valueOf, valuesOf, type Options, type ParsedArgs } from '../args.js';
import type { ResolvedWord } from '../expand.js';
import type { PackageInstallIntent, PackageListSource, PackageManager, PackageRef, ShellCommand } from '../types.js';
import type { IntentContext } from './index.js';

/** No intents (shared: callers only read results). */
const NONE: never[] = [];

const APT = options({
  valued: [
    '-o',
    '--option',
    '-t',
    '--target-release',
    '--default-release',
    '-c',
    '--config-file',
    '-a',
    '--host-architecture',
    '--error-on',
  ],
});
const APK = options({
  valued: [
    '-t',
    '--virtual',
    '-X',
    '--repository',
    '-p',
    '--root',
    '--arch',
    '--keys-dir',
    '--repositories-file',
    '--cache-dir',
    '--cache-max-age',
    '--wait',
    '--timeout',
    '--progress-fd',
  ],
});
const YUM = options({
  valued: [
    '--enablerepo',
    '--disablerepo',
    '--setopt',
    '--installroot',
    '--releasever',
    '-c',
    '--config',
    '-d',
    '--debuglevel',
    '-e',
    '--errorlevel',
    '-x',
    '--exclude',
    '--repo',
    '--repoid',
    '--repofrompath',
    '--forcearch',
    '--downloaddir',
    '--destdir',
    '--color',
    '--rpmverbosity',
    '--advisory',
    '--bz',
    '--cve',
    '--secseverity',
    '--comment',
    '--disableplugin',
    '--enableplugin',
  ],
});
const ZYPPER_GLOBAL = options({
  valued: [
    '-R',
    '--root',
    '--releasever',
    '-c',
    '--config',
    '-D',
    '--reposd-dir',
    '-C',
    '--cache-dir',
    '--raw-cache-dir',
    '--solv-cache-dir',
    '--pkg-cache-dir',
    '-p',
    '--plus-repo',
    '--plus-content',
    '--installroot',
  ],
  stopAtOperand: true,
});
const ZYPPER_INSTALL = options({ valued: ['-t', '--type', '-r', '--repo', '--from', '--download'] });
const PIP = options({
  valued: [
    '-r',
    '--requirement',
    '-c',
    '--constraint',
    '-e',
    '--editable',
    '-t',
    '--target',
    '--platform',
    '--python-version',
    '--implementation',
    '--abi',
    '--root',
    '--prefix',
    '--src',
    '--upgrade-strategy',
    '--install-option',
    '--global-option',
    '-C',
    '--config-settings',
    '-i',
    '--index-url',
    '--extra-index-url',
    '-f',
    '--find-links',
    '--progress-bar',
    '--report',
    '--only-binary',
    '--no-binary',
    '--proxy',
    '--retries',
    '--timeout',
    '--log',
    '--cache-dir',
    '--cert',
    '--client-cert',
    '--exists-action',
    '--trusted-host',
    '--python',
    '--root-user-action',
    '--use-feature',
    '--use-deprecated',
    '--keyring-provider',
    '--group',
  ],
});
const NPM = options({
  valued: [
    '--registry',
    '--prefix',
    '-C',
    '--cache',
    '--userconfig',
    '--globalconfig',
    '--loglevel',
    '-w',
    '--workspace',
    '--omit',
    '--include',
    '--install-strategy',
    '--tag',
    '--save-prefix',
    '--location',
    '--script-shell',
    '--cpu',
    '--os',
    '--libc',
    '--before',
  ],
});
const YARN = options({
  valued: [
    '--cwd',
    '--network-timeout',
    '--modules-folder',
    '--cache-folder',
    '--registry',
    '--mutex',
    '--global-folder',
    '--link-folder',
    '--preferred-cache-folder',
    '--https-proxy',
    '--proxy',
    '--network-concurrency',
    '--child-concurrency',
    '--use-yarnrc',
  ],
});
const PNPM = options({
  valued: [
    '--filter',
    '-F',
    '-C',
    '--dir',
    '--store-dir',
    '--registry',
    '--reporter',
    '--config',
    '--lockfile-dir',
    '--virtual-store-dir',
    '--modules-dir',
  ],
});
const GEM = options({
  valued: [
    '-v',
    '--version',
    '-i',
    '--install-dir',
    '-n',
    '--bindir',
    '--source',
    '-s',
    '-p',
    '--http-proxy',
    '--platform',
    '--build-root',
    '-P',
    '--trust-policy',
  ],
});
const BUNDLE = options({
  valued: [
    '--gemfile',
    '--path',
    '-j',
    '--jobs',
    '--retry',
    '--without',
    '--with',
    '--binstubs',
    '--standalone',
    '--shebang',
    '--target-rbconfig',
  ],
});
const GO = options({
  singleDash: true,
  valued: [
    '-ldflags',
    '-gcflags',
    '-asmflags',
    '-tags',
    '-mod',
    '-modfile',
    '-o',
    '-p',
    '-pkgdir',
    '-toolexec',
    '-buildmode',
    '-compiler',
    '-gccgoflags',
    '-installsuffix',
    '-overlay',
    '-pgo',
    '-coverpkg',
    '-covermode',
    '-exec',
    '-C',
  ],
});
const CARGO = options({
  valued: [
    '--version',
    '--vers',
    '--git',
    '--branch',
    '--tag',
    '--rev',
    '--path',
    '--root',
    '--index',
    '--registry',
    '--target',
    '--target-dir',
    '-F',
    '--features',
    '--profile',
    '-j',
    '--jobs',
    '--bin',
    '--example',
    '--config',
    '-Z',
    '--color',
    '--message-format',
  ],
});
const COMPOSER = options({
  valued: [
    '-d',
    '--working-dir',
    '--ignore-platform-req',
    '--prefer-install',
    '--repository',
    '--stability',
    '--apcu-autoloader-prefix',
  ],
});
const DPKG = options({
  valued: ['--root', '--admindir', '--instdir', '--log', '--status-fd', '--path-include', '--path-exclude'],
});
const RPM = options({
  valued: [
    '--root',
    '--dbpath',
    '--prefix',
    '--relocate',
    '--excludepath',
    '--define',
    '-D',
    '--macros',
    '--rcfile',
    '--pipe',
  ],
});

/** Registry packages vs local files, URLs and repositories, by the look of the word. */
function sourceOf(value: string, fileSuffix: RegExp): PackageRef['source'] {
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|hg\+|svn\+|bzr\+)/.test(value)) return 'vcs';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return /\.git(#|$)/.test(value) ? 'vcs' : 'url';
  if (
    value.startsWith('/') ||
    value.startsWith('./') ||
    value.startsWith('../') ||
    value === '.' ||
    value === '..' ||
    value.startsWith('file:') ||
    fileSuffix.test(value)
  )
    return 'file';
  return 'registry';
}

function ref(word: ResolvedWord, name: string, version: string | undefined, source: PackageRef['source']): PackageRef {
  const out: PackageRef = { name, resolved: word.resolved, source, word };
  if (version !== undefined && version !== '') out.version = version;
  return out;
}

/** A package word split into name and version with `split` (applied to resolved words only). */
function packageRef(word: ResolvedWord, split: (value: string) => [string, string?], fileSuffix: RegExp): PackageRef {
  if (!word.resolved) return ref(word, word.text, undefined, 'registry');
  const value = word.value!;
  const source = sourceOf(value, fileSuffix);
  if (source !== 'registry') return ref(word, value, undefined, source);
  const [name, version] = split(value);
  return ref(word, name, version, source);
}

/** `name=1.2`, `name/suite`. */
function splitApt(v: string): [string, string?] {
  const eq = v.indexOf('=');
  if (eq > 0) return [v.slice(0, eq), v.slice(eq + 1)];
  const slash = v.indexOf('/');
  return [slash > 0 ? v.slice(0, slash) : v];
}

/** `name=1.2`, `name~1.2`, `name>=1.2`, `name@edge`. */
function splitApk(v: string): [string, string?] {
  const at = v.indexOf('@');
  const base = at > 0 ? v.slice(0, at) : v;
  const m = /^(.+?)(=|~=?|>=?|<=?)(.+)$/.exec(base);
  if (m === null) return [base];
  return [m[1]!, m[2] === '=' ? m[3]! : m[2]! + m[3]!];
}

/** zypper: `name=1.2`, `name>=1.2`. */
function splitZypper(v: string): [string, string?] {
  const m = /^(.+?)(=|>=?|<=?)(.+)$/.exec(v);
  if (m === null) return [v];
  return [m[1]!, m[2] === '=' ? m[3]! : m[2]! + m[3]!];
}

/** PEP 508: `name[extra]==1.2; marker`, `name>=1,<2`, `name @ url`. */
function splitPip(v: string): [string, string?] {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$/.exec(v);
  if (m === null) return [v];
  let spec = m[3]!.split(';')[0]!.trim();
  if (spec.startsWith('==') && !/[,<>!~*]/.test(spec.slice(2))) spec = spec.slice(2).trim();
  return [m[1]!, spec === '' ? undefined : spec];
}

/** npm: `name@1.2`, `@scope/name@^1`. */
function splitNpm(v: string): [string, string?] {
  const at = v.indexOf('@', v.startsWith('@') ? 1 : 0);
  return at > 0 ? [v.slice(0, at), v.slice(at + 1)] : [v];
}

/** `name@version` (go modules, cargo crates). */
function splitAt(v: string): [string, string?] {
  const at = v.lastIndexOf('@');
  return at > 0 ? [v.slice(0, at), v.slice(at + 1)] : [v];
}

/** composer: `vendor/pkg:^1.2`, `vendor/pkg=1.2`, `"vendor/pkg ^1.2"`. */
function splitComposer(v: string): [string, string?] {
  const m = /^([^\s:=]+)[\s:=]+(.+)$/.exec(v);
  return m === null ? [v] : [m[1]!, m[2]!];
}

/** gem: `name:1.2`. */
function splitGem(v: string): [string, string?] {
  const colon = v.indexOf(':');
  return colon > 0 ? [v.slice(0, colon), v.slice(colon + 1)] : [v];
}

interface Install {
  manager: PackageManager;
  tool: string;
  packages: PackageRef[];
  from?: PackageListSource[];
  global?: boolean;
  insecure?: boolean;
}

function intent(cmd: ShellCommand, install: Install): PackageInstallIntent {
  const from = install.from ?? [];
  if (cmd.moreArgs) from.push({ kind: 'input' });
  const out: PackageInstallIntent = {
    kind: 'PackageInstall',
    manager: install.manager,
    tool: install.tool,
    packages: install.packages,
    listKnown: from.length === 0 && install.packages.every((p) => p.resolved && !p.word.glob),
    command: cmd.index,
    range: cmd.range,
  };
  if (from.length > 0) out.from = from;
  if (install.global) out.global = true;
  if (install.insecure) out.insecure = true;
  return out;
}

function isPip(name: string): boolean {
  return /^pip(\d+(\.\d+)*)?$/.test(name);
}

function isPython(name: string): boolean {
  return /^(python|pypy)(\d+(\.\d+)*)?$/.test(name) || name === 'py';
}

const MANAGERS = new Set([
  'apt-get',
  'apt',
  'aptitude',
  'apk',
  'yum',
  'dnf',
  'dnf5',
  'microdnf',
  'tdnf',
  'zypper',
  'dpkg',
  'rpm',
  'npm',
  'yarn',
  'pnpm',
  'gem',
  'bundle',
  'bundler',
  'go',
  'cargo',
  'composer',
  'composer.phar',
]);

/** May a command of this name install packages? */
export function installsWith(name: string): boolean {
  return MANAGERS.has(name) || isPip(name) || isPython(name);
}

export function packageIntents(cmd: ShellCommand, _ctx: IntentContext): PackageInstallIntent[] {
  const name = cmd.name!;
  const args = cmd.argv.slice(1);
  let install: Install | null = null;
  if (name === 'apt-get' || name === 'apt' || name === 'aptitude') install = apt(name, args);
  else if (name === 'apk') install = apk(args);
  else if (name === 'yum' || name === 'dnf' || name === 'dnf5' || name === 'microdnf' || name === 'tdnf')
    install = yum(name, args);
  else if (name === 'zypper') install = zypper(args);
  else if (name === 'dpkg') install = dpkg(args);
  else if (name === 'rpm') install = rpm(args);
  else if (isPip(name)) install = pip(name, args);
  else if (isPython(name)) {
    const m = args.findIndex((a) => a.value === '-m');
    if (
      m >= 0 &&
      args[m + 1]?.value === 'pip' &&
      args.slice(0, m).every((a) => a.resolved && a.value!.startsWith('-'))
    ) {
      install = pip(`${name} -m pip`, args.slice(m + 2));
    }
  } else if (name === 'npm') install = npm(args);
  else if (name === 'yarn') install = yarn(args);
  else if (name === 'pnpm') install = pnpm(args);
  else if (name === 'gem') install = gem(args);
  else if (name === 'bundle' || name === 'bundler') install = bundle(name, args);
  else if (name === 'go') install = go(args);
  else if (name === 'cargo') install = cargo(args);
  else if (name === 'composer' || name === 'composer.phar') install = composer(name, args);
  return install === null ? NONE : [intent(cmd, install)];
}

/** The first operand is the subcommand; options may come before or after it. */
function subcommand(
  args: readonly ResolvedWord[],
  spec: Options,
): { sub: string | undefined; parsed: ParsedArgs; rest: ResolvedWord[] } {
  const parsed = parseArgs(args, spec);
  const first = parsed.operands[0];
  return { sub: first?.resolved ? first.value! : undefined, parsed, rest: parsed.operands.slice(1) };
}

function apt(tool: string, args: ResolvedWord[]): Install | null {
  const { sub, parsed, rest } = subcommand(args, APT);
  if (sub !== 'install' && sub !== 'reinstall') return null;
  const options = valuesOf(parsed, '-o', '--option').map((o) => o.value ?? '');
  const insecure =
    has(parsed, '--allow-unauthenticated', '--allow-insecure-repositories', '--force-yes') ||
    options.some((o) =>
      /AllowUnauthenticated=(1|true|yes)|Check-Valid-Until=(0|false|no)|AllowInsecureRepositories=(1|true|yes)/i.test(
        o,
      ),
    );
  return { manager: 'apt', tool, packages: rest.map((w) => packageRef(w, splitApt, /\.deb$/)), insecure };
}

function apk(args: ResolvedWord[]): Install | null {
  const { sub, parsed, rest } = subcommand(args, APK);
  if (sub !== 'add') return null;
  return {
    manager: 'apk',
    tool: 'apk',
    packages: rest.map((w) => packageRef(w, splitApk, /\.apk$/)),
    insecure: has(parsed, '--allow-untrusted'),
  };
}

function yum(tool: string, args: ResolvedWord[]): Install | null {
  const { sub, parsed, rest } = subcommand(args, YUM);
  let names = rest;
  if (sub === 'group' || sub === 'groups' || sub === 'module') {
    if (rest[0]?.value !== 'install') return null;
    names = rest.slice(1);
  } else if (sub !== 'install' && sub !== 'localinstall' && sub !== 'reinstall' && sub !== 'groupinstall') return null;
  const setopts = valuesOf(parsed, '--setopt').map((o) => o.value ?? '');
  const insecure =
    has(parsed, '--nogpgcheck', '--no-gpgchecks') || setopts.some((o) => /(gpgcheck|sslverify)=(0|false|no)$/i.test(o));
  const manager: PackageManager = tool === 'yum' ? 'yum' : tool === 'microdnf' ? 'microdnf' : 'dnf';
  const packages = names.map((w) => packageRef(w, (v) => [v], /\.rpm$/));
  return { manager, tool, packages, insecure };
}

function zypper(args: ResolvedWord[]): Install | null {
  const global = parseArgs(args, ZYPPER_GLOBAL);
  const sub = global.operands[0];
  if (!sub?.resolved || (sub.value !== 'install' && sub.value !== 'in')) return null;
  const parsed = parseArgs(global.operands.slice(1), ZYPPER_INSTALL);
  const insecure = has(global, '--no-gpg-checks') || has(parsed, '--allow-unsigned-rpm', '--no-gpg-checks');
  return {
    manager: 'zypper',
    tool: 'zypper',
    packages: parsed.operands.map((w) => packageRef(w, splitZypper, /\.rpm$/)),
    insecure,
  };
}

function dpkg(args: ResolvedWord[]): Install | null {
  const parsed = parseArgs(args, DPKG);
  if (!has(parsed, '-i', '--install')) return null;
  const packages = parsed.operands.map((w) => ref(w, w.resolved ? w.value! : w.text, undefined, 'file'));
  return {
    manager: 'dpkg',
    tool: 'dpkg',
    packages,
    insecure: parsed.options.some((o) => /^--force-(bad-verify|all)/.test(o.name)),
  };
}

function rpm(args: ResolvedWord[]): Install | null {
  const parsed = parseArgs(args, RPM);
  if (!has(parsed, '-i', '-U', '-F', '--install', '--upgrade', '--freshen')) return null;
  const packages = parsed.operands.map((w) => {
    const value = w.resolved ? w.value! : w.text;
    return ref(w, value, undefined, w.resolved && /^[a-z]+:\/\//i.test(value) ? 'url' : 'file');
  });
  return { manager: 'rpm', tool: 'rpm', packages, insecure: has(parsed, '--nosignature', '--nodigest', '--noverify') };
}

function pip(tool: string, args: ResolvedWord[]): Install | null {
  const { sub, parsed, rest } = subcommand(args, PIP);
  if (sub !== 'install') return null;
  const from: PackageListSource[] = [];
  for (const file of valuesOf(parsed, '-r', '--requirement')) from.push({ kind: 'file', path: file });
  const packages: PackageRef[] = [];
  for (const dir of valuesOf(parsed, '-e', '--editable')) {
    const v = dir.value;
    if (v !== undefined && sourceOf(v, /$^/) !== 'file')
      packages.push(packageRef(dir, splitPip, /\.(whl|tar\.gz|zip)$/));
    else from.push({ kind: 'project', path: dir });
  }
  for (const w of rest) {
    const v = w.value;
    if (
      v !== undefined &&
      (v === '.' ||
        v === '..' ||
        ((v.startsWith('./') || v.startsWith('/') || v.startsWith('../')) && !/\.(whl|tar\.gz|zip|tar\.bz2)$/.test(v)))
    ) {
      from.push({ kind: 'project', path: w });
      continue;
    }
    // `name @ https://...` is one requirement given as one word.
    const at = v?.match(/^([A-Za-z0-9._-]+)\s*@\s*(\S+)$/);
    if (at && v !== undefined)
      packages.push(ref(w, at[1]!, undefined, sourceOf(at[2]!, /$^/) === 'vcs' ? 'vcs' : 'url'));
    else packages.push(packageRef(w, splitPip, /\.(whl|tar\.gz|zip|tar\.bz2)$/));
  }
  const hosts = valuesOf(parsed, '--trusted-host');
  const indexes = valuesOf(parsed, '-i', '--index-url', '--extra-index-url');
  const insecure = hosts.length > 0 || indexes.some((i) => i.value?.startsWith('http://') === true);
  return { manager: 'pip', tool, packages, from, insecure };
}

const NPM_INSTALL = new Set([
  'install',
  'i',
  'in',
  'ins',
  'inst',
  'insta',
  'instal',
  'isnt',
  'isnta',
  'isntal',
  'isntall',
  'add',
]);
const NPM_CI = new Set(['ci', 'clean-install', 'ic', 'install-clean', 'isntall-clean']);

function npm(args: ResolvedWord[]): Install | null {
  const { sub, parsed, rest } = subcommand(args, NPM);
  if (sub === undefined || (!NPM_INSTALL.has(sub) && !NPM_CI.has(sub))) return null;
  const global = has(parsed, '-g', '--global') || valueOf(parsed, '--location')?.value === 'global';
  const prefix = valueOf(parsed, '--prefix', '-C');
  const project: PackageListSource = prefix !== undefined ? { kind: 'project', path: prefix } : { kind: 'project' };
  const insecure =
    parsed.options.some((o) => o.name === '--strict-ssl' && o.value?.value === 'false') ||
    valueOf(parsed, '--registry')?.value?.startsWith('http://') === true;
  if (NPM_CI.has(sub) || rest.length === 0)
    return { manager: 'npm', tool: 'npm', packages: [], from: [project], global, insecure };
  return { manager: 'npm', tool: 'npm', packages: rest.map((w) => npmRef(w)), global, insecure };
}

/** npm-style specs: registry names, `user/repo` on GitHub, tarballs, folders. */
function npmRef(w: ResolvedWord): PackageRef {
  const p = packageRef(w, splitNpm, /\.(tgz|tar\.gz)$/);
  // `user/repo` is a GitHub repository; `@scope/name` is a registry package.
  const v = w.value;
  if (p.source === 'registry' && v !== undefined && /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+(#.*)?$/.test(v))
    return ref(w, v, undefined, 'vcs');
  return p;
}

function yarn(args: ResolvedWord[]): Install | null {
  const { sub, parsed, rest } = subcommand(args, YARN);
  const cwd = valueOf(parsed, '--cwd');
  const project: PackageListSource = cwd !== undefined ? { kind: 'project', path: cwd } : { kind: 'project' };
  if (sub === undefined || sub === 'install') {
    // Bare `yarn` (options only) installs the project.
    if (sub === undefined && parsed.operands.length > 0) return null;
    return { manager: 'yarn', tool: 'yarn', packages: [], from: [project] };
  }
  if (sub === 'add') return { manager: 'yarn', tool: 'yarn', packages: rest.map((w) => npmRef(w)) };
  if (sub === 'global' && rest[0]?.value === 'add')
    return { manager: 'yarn', tool: 'yarn', packages: rest.slice(1).map((w) => npmRef(w)), global: true };
  if (sub === 'workspaces' && rest[0]?.value === 'focus')
    return { manager: 'yarn', tool: 'yarn', packages: [], from: [project] };
  return null;
}

function pnpm(args: ResolvedWord[]): Install | null {
  const { sub, parsed, rest } = subcommand(args, PNPM);
  const global = has(parsed, '-g', '--global');
  const dir = valueOf(parsed, '-C', '--dir');
  const project: PackageListSource = dir !== undefined ? { kind: 'project', path: dir } : { kind: 'project' };
  if (sub === 'add' || ((sub === 'install' || sub === 'i') && rest.length > 0))
    return { manager: 'pnpm', tool: 'pnpm', packages: rest.map((w) => npmRef(w)), global };
  if (sub === 'install' || sub === 'i' || sub === 'fetch')
    return { manager: 'pnpm', tool: 'pnpm', packages: [], from: [project], global };
  return null;
}

function gem(args: ResolvedWord[]): Install | null {
  const { sub, parsed, rest } = subcommand(args, GEM);
  if (sub !== 'install' && sub !== 'i') return null;
  const version = valueOf(parsed, '-v', '--version');
  const packages = rest.map((w) => {
    const p = packageRef(w, splitGem, /\.gem$/);
    // `-v` applies to the gem it accompanies; with several gems bundler-style pinning is ambiguous.
    if (version !== undefined && rest.length === 1 && p.source === 'registry') {
      p.version = version.resolved ? version.value! : version.text;
      if (!version.resolved) p.resolved = false;
    }
    return p;
  });
  const policy = valueOf(parsed, '-P', '--trust-policy')?.value;
  return { manager: 'gem', tool: 'gem', packages, insecure: policy === 'NoSecurity' };
}

function bundle(tool: string, args: ResolvedWord[]): Install | null {
  const { sub, parsed } = subcommand(args, BUNDLE);
  if (sub !== undefined && sub !== 'install') return null;
  const gemfile = valueOf(parsed, '--gemfile');
  return {
    manager: 'bundler',
    tool,
    packages: [],
    from: [gemfile !== undefined ? { kind: 'file', path: gemfile } : { kind: 'project' }],
  };
}

function go(args: ResolvedWord[]): Install | null {
  const sub = args[0]?.value;
  if (sub === 'mod' && args[1]?.value === 'download') {
    const modules = parseArgs(args.slice(2), GO).operands;
    if (modules.length > 0)
      return { manager: 'go', tool: 'go', packages: modules.map((w) => packageRef(w, splitAt, /$^/)) };
    return { manager: 'go', tool: 'go', packages: [], from: [{ kind: 'project' }] };
  }
  if (sub !== 'install' && sub !== 'get') return null;
  const operands = parseArgs(args.slice(1), GO).operands;
  // `go install ./cmd/x` builds local code (a Build); only `path@version` comes from the module proxy.
  const remote = operands.filter((w) => sub === 'get' || (w.resolved ? w.value!.includes('@') : w.text.includes('@')));
  if (remote.length === 0) return null;
  return { manager: 'go', tool: 'go', packages: remote.map((w) => packageRef(w, splitAt, /$^/)) };
}

function cargo(args: ResolvedWord[]): Install | null {
  const { sub, parsed, rest } = subcommand(args, CARGO);
  if (sub !== 'install') return null;
  const git = valueOf(parsed, '--git');
  const path = valueOf(parsed, '--path');
  const version = valueOf(parsed, '--version', '--vers');
  const packages = rest.map((w) => {
    const p = packageRef(w, splitAt, /$^/);
    if (git !== undefined) p.source = 'vcs';
    if (version !== undefined && p.version === undefined) p.version = version.value ?? version.text;
    return p;
  });
  const from: PackageListSource[] = [];
  if (path !== undefined) from.push({ kind: 'project', path });
  if (git !== undefined && packages.length === 0) packages.push(ref(git, git.value ?? git.text, undefined, 'vcs'));
  return { manager: 'cargo', tool: 'cargo', packages, from };
}

function composer(tool: string, args: ResolvedWord[]): Install | null {
  let { sub, parsed, rest } = subcommand(args, COMPOSER);
  let global = false;
  if (sub === 'global') {
    global = true;
    sub = rest[0]?.value;
    rest = rest.slice(1);
  }
  const dir = valueOf(parsed, '-d', '--working-dir');
  const project: PackageListSource = dir !== undefined ? { kind: 'project', path: dir } : { kind: 'project' };
  if (sub === 'require') return { manager: 'composer', tool: basename(tool), packages: composerRefs(rest), global };
  if (sub === 'install' || sub === 'update' || sub === 'i' || sub === 'u')
    return { manager: 'composer', tool: basename(tool), packages: [], from: [project], global };
  if (sub === 'create-project' && rest[0] !== undefined) {
    const p = packageRef(rest[0], splitComposer, /$^/);
    const version = rest[2];
    if (version !== undefined && p.version === undefined) p.version = version.value ?? version.text;
    return { manager: 'composer', tool: basename(tool), packages: [p], global };
  }
  return null;
}

/** `composer require vendor/pkg 1.2` also takes the constraint as the next word. */
function composerRefs(words: ResolvedWord[]): PackageRef[] {
  const out: PackageRef[] = [];
  for (const w of words) {
    const prev = out.length > 0 ? out[out.length - 1] : undefined;
    if (
      prev !== undefined &&
      prev.version === undefined &&
      w.resolved &&
      /^[\^~<>=*\d]|^dev-/.test(w.value!) &&
      !w.value!.includes('/')
    ) {
      prev.version = w.value!;
      continue;
    }
    out.push(packageRef(w, splitComposer, /$^/));
  }
  return out;
}
