/**
 * What the analysis of a RUN script produces: the simple commands it runs
 * (with words resolved), the intents read from them, and diagnostics.
 */
import type { Range, Severity } from '../common/diagnostics.js';
import type { RedirectOp } from '../../grammar/shell/index.js';
import type { ResolvedWord } from './expand.js';

export type { ResolvedWord } from './expand.js';

export interface ResolvedAssignment {
  name: string;
  append: boolean;
  value: ResolvedWord;
}

export interface ResolvedRedirect {
  op: RedirectOp;
  fd?: number;
  /** File, descriptor or here-string; for a heredoc, its delimiter. */
  target: ResolvedWord;
  /** The text fed to the command: a heredoc body or a here-string (`<<<`). */
  content?: ResolvedWord;
}

/** One simple command, in the order the script would run them (as far as that is static). */
export interface ShellCommand {
  /** Position in `ScriptAnalysis.commands`; intents refer to commands by it. */
  index: number;
  /** Arguments after expansion, the command name first. One word may make several fields, or none. */
  argv: ResolvedWord[];
  /** The command name without directory (`curl` for `/usr/bin/curl`) when argv[0] is resolved. */
  name?: string;
  /** `NAME=value` words before the command (for an assignment-only command: the assignments it makes). */
  assignments: ResolvedAssignment[];
  redirects: ResolvedRedirect[];
  range: Range;
  /** The command before this one in its pipeline (its output is this command's input). */
  pipedFrom?: number;
  /** The command after this one in its pipeline. */
  pipedTo?: number;
  /** Runs only under a condition: in an if/case branch, a loop body, after `||`, or after `&&` behind a test. */
  conditional: boolean;
  /** In a loop body or condition: may run several times. */
  loop: boolean;
  /** Inside `$(...)`, backquotes or `<(...)`. */
  substitution: boolean;
  /** In the body of this shell function (runs when the function is called). */
  functionName?: string;
  /** This command runs another one taken from its arguments (`sudo`, `env`, `xargs`, `find -exec`...). */
  runs?: number;
  /** Runs inside this other command: a wrapper's argument, or a script given to `sh -c`, `bash <<EOF`, `su -c`... */
  parent?: number;
  /** Gets more arguments at run time (from `xargs` input or `find -exec {}`): argv is incomplete. */
  moreArgs?: boolean;
  /** Working directory when known (the caller's workdir followed through `cd`). */
  cwd?: string;
}

export type PackageManager =
  | 'apt'
  | 'apk'
  | 'yum'
  | 'dnf'
  | 'microdnf'
  | 'zypper'
  | 'dpkg'
  | 'rpm'
  | 'pip'
  | 'npm'
  | 'yarn'
  | 'pnpm'
  | 'gem'
  | 'bundler'
  | 'go'
  | 'cargo'
  | 'composer';

export interface PackageRef {
  /** The package as named (for an unresolved word: its text as written). */
  name: string;
  /** Version or version constraint given with the name (`=1.2`, `==1.2`, `@1.2`, `-v 1.2`). */
  version?: string;
  /** The name is statically known. */
  resolved: boolean;
  /** Where the package comes from: the manager's repositories, a local file, a URL or a version-control repository. */
  source: 'registry' | 'file' | 'url' | 'vcs';
  word: ResolvedWord;
}

/** Packages also come from here, not listed in `packages`. */
export type PackageListSource =
  /** A list or manifest file: `pip install -r requirements.txt`, `xargs apt-get install < list`. */
  | { kind: 'file'; path: ResolvedWord }
  /** The project in a directory (`npm ci`, `composer install`, `pip install .`); absent path: the working directory. */
  | { kind: 'project'; path?: ResolvedWord }
  /** Arguments read at run time (`xargs`, `find -exec`). */
  | { kind: 'input' };

interface IntentBase {
  /** Index of the command the intent was read from. */
  command: number;
  range: Range;
}

export interface PackageInstallIntent extends IntentBase {
  kind: 'PackageInstall';
  manager: PackageManager;
  /** The program as invoked, e.g. `apt-get`, `pip3`, `python3 -m pip`. */
  tool: string;
  packages: PackageRef[];
  from?: PackageListSource[];
  /** Every package is named by a resolved word and none comes from a file, project or input. */
  listKnown: boolean;
  /** npm/yarn/pnpm global install, composer global. */
  global?: boolean;
  /** Signature or TLS checks switched off (`--allow-untrusted`, `--nogpgcheck`, `--trusted-host`...). */
  insecure?: boolean;
}

export interface DownloadIntent extends IntentBase {
  kind: 'Download';
  tool: 'curl' | 'wget' | 'git';
  url: ResolvedWord;
  /** Where the bytes go when written to a file (`-o`, `-O`, redirection). */
  output?: ResolvedWord;
  /** Name of the command the download is piped into (`sh`, `tar`...), wrappers like sudo skipped. */
  pipedTo?: string;
  /** Index of that command. */
  pipedToCommand?: number;
  /** TLS verification switched off (`-k`, `--no-check-certificate`). */
  insecure?: boolean;
}

export interface VerifyIntent extends IntentBase {
  kind: 'Verify';
  /** `sha256sum`, `gpg`, `gpgv`, `openssl`... */
  tool: string;
  /** The file checked, when known: a checksum line's file name, the signed file. */
  target?: ResolvedWord;
  /** A file of checksum lines (`sha256sum -c SHA256SUMS`). */
  checksumFile?: ResolvedWord;
  /** The detached signature (`gpg --verify x.asc x`). */
  signature?: ResolvedWord;
  /** The expected digest, when the checksum line is known. */
  expected?: string;
}

export interface ExtractIntent extends IntentBase {
  kind: 'Extract';
  tool: string;
  /** The archive; absent when read from the input (then see `pipedFrom`). */
  archive?: ResolvedWord;
  /** The command whose output is the archive (`curl ... | tar -x`). */
  pipedFrom?: number;
  /** Target directory (`-C`, `-d`); absent means the working directory. */
  dest?: ResolvedWord;
}

export interface BuildIntent extends IntentBase {
  kind: 'Build';
  /** `configure`, `make`, `cmake`, `ninja`, `meson`, `go`, `cargo`, `mvn`, `gradle`... */
  tool: string;
  /** `make install` → `install`; `go build` → `build`. */
  target?: string;
}

export interface CloneIntent extends IntentBase {
  kind: 'Clone';
  url: ResolvedWord;
  /** `--branch`/`-b`, or a later `git checkout <ref>` (or `reset --hard`) in the clone. */
  ref?: ResolvedWord;
  /** The ref is a full commit id (40 or 64 hex digits). */
  pinned: boolean;
  dest?: ResolvedWord;
}

export interface OpaqueIntent extends Omit<IntentBase, 'command'> {
  kind: 'Opaque';
  reason: string;
  /**
   * The command concerned. Absent when the whole script is concerned (a SHELL
   * that is not POSIX) or text the parser could not read at the top level.
   */
  command?: number;
}

export interface PackageDatabaseRemovalIntent extends IntentBase {
  kind: 'PackageDatabaseRemoval';
  database: 'dpkg' | 'apk' | 'rpm';
  path: ResolvedWord;
}

export type Intent =
  | PackageInstallIntent
  | DownloadIntent
  | VerifyIntent
  | ExtractIntent
  | BuildIntent
  | CloneIntent
  | OpaqueIntent
  | PackageDatabaseRemovalIntent;

export interface ShellDiagnostic {
  severity: Severity;
  /** Stable identifier, e.g. `shell/syntax`. */
  code: string;
  message: string;
  range: Range;
}

export interface ScriptAnalysis {
  /** Simple commands in the order a run would reach them (substitutions before the command that uses them). */
  commands: ShellCommand[];
  /** Intents about the script as a whole (foreign SHELL, unreadable text) first, then by command. */
  intents: Intent[];
  /** Syntax errors, the script's and those of scripts it runs (`sh -c`). */
  diagnostics: ShellDiagnostic[];
}
