/**
 * Download, Verify, Extract and Clone: bytes that come from outside the
 * context, how they are checked, and where they are unpacked.
 */
import { basename, derived, has, options, parseArgs, resolvePath, valueOf, valuesOf } from '../args.js';
import { UNKNOWN_PIECE, type ResolvedWord } from '../expand.js';
import type { CloneIntent, DownloadIntent, ExtractIntent, ShellCommand, VerifyIntent } from '../types.js';
import type { IntentContext } from './index.js';

/** No intents (shared: callers only read results). */
const NONE: never[] = [];

const CURL = options({
  valued: [
    '-o',
    '--output',
    '-H',
    '--header',
    '-d',
    '--data',
    '--data-binary',
    '--data-raw',
    '--data-urlencode',
    '--data-ascii',
    '-u',
    '--user',
    '-A',
    '--user-agent',
    '-e',
    '--referer',
    '-X',
    '--request',
    '-x',
    '--proxy',
    '-U',
    '--proxy-user',
    '-C',
    '--continue-at',
    '-m',
    '--max-time',
    '--connect-timeout',
    '--retry',
    '--retry-delay',
    '--retry-max-time',
    '-w',
    '--write-out',
    '-T',
    '--upload-file',
    '-F',
    '--form',
    '--form-string',
    '--cacert',
    '--capath',
    '-E',
    '--cert',
    '--cert-type',
    '--key',
    '--key-type',
    '--pass',
    '-b',
    '--cookie',
    '-c',
    '--cookie-jar',
    '-r',
    '--range',
    '-y',
    '--speed-time',
    '-Y',
    '--speed-limit',
    '-z',
    '--time-cond',
    '--output-dir',
    '-K',
    '--config',
    '--proto',
    '--proto-redir',
    '--proto-default',
    '--resolve',
    '--connect-to',
    '--interface',
    '--limit-rate',
    '--max-filesize',
    '--max-redirs',
    '-D',
    '--dump-header',
    '--stderr',
    '--trace',
    '--trace-ascii',
    '--ciphers',
    '--url',
    '--netrc-file',
    '-Q',
    '--quote',
    '--oauth2-bearer',
    '--pinnedpubkey',
    '--hostpubmd5',
    '--hostpubsha256',
    '--dns-servers',
    '--noproxy',
    '--preproxy',
    '--local-port',
    '--keepalive-time',
    '--expect100-timeout',
    '--happy-eyeballs-timeout-ms',
    '--aws-sigv4',
    '--variable',
    '--expand-url',
    '--json',
    '--tls-max',
    '--curves',
    '--etag-save',
    '--etag-compare',
    '--unix-socket',
    '--abstract-unix-socket',
    '-P',
    '--ftp-port',
  ],
});

const WGET = options({
  valued: [
    '-O',
    '--output-document',
    '-o',
    '--output-file',
    '-a',
    '--append-output',
    '-P',
    '--directory-prefix',
    '-i',
    '--input-file',
    '-t',
    '--tries',
    '-T',
    '--timeout',
    '-w',
    '--wait',
    '--waitretry',
    '--header',
    '-U',
    '--user-agent',
    '--user',
    '--password',
    '--http-user',
    '--http-password',
    '-e',
    '--execute',
    '--progress',
    '-Q',
    '--quota',
    '-l',
    '--level',
    '--limit-rate',
    '-B',
    '--base',
    '--referer',
    '--post-data',
    '--post-file',
    '--method',
    '--body-data',
    '--body-file',
    '--ca-certificate',
    '--ca-directory',
    '--certificate',
    '--private-key',
    '--load-cookies',
    '--save-cookies',
    '-D',
    '--domains',
    '--exclude-domains',
    '-A',
    '--accept',
    '-R',
    '--reject',
    '--bind-address',
    '--dns-timeout',
    '--connect-timeout',
    '--read-timeout',
    '--retry-on-http-error',
    '--local-encoding',
    '--remote-encoding',
    '--restrict-file-names',
    '--secure-protocol',
    '--max-redirect',
    '--report-speed',
    '--config',
    '--rejected-log',
  ],
});

const GIT_GLOBAL_VALUED = [
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--exec-path',
  '--config-env',
  '--super-prefix',
];

const GIT_GLOBAL = options({ valued: GIT_GLOBAL_VALUED, stopAtOperand: true });
const GIT_ARCHIVE = options({
  valued: ['--remote', '-o', '--output', '--format', '--prefix', '--exec', '--add-file', '--add-virtual-file'],
});
const GIT_CHECKOUT = options({ valued: ['-b', '-B', '--orphan', '-c', '-C', '--conflict', '--pathspec-from-file'] });
const CHECKSUM = options({ valued: ['-a', '--algorithm', '-l', '--length'] });
const UNZIP = options({ valued: ['-d', '-P', '-O', '-I'] });
const DPKG_DEB = options({ valued: ['--admindir', '--root'] });
const GPG = options({
  valued: [
    '--keyring',
    '--homedir',
    '--trust-model',
    '--status-fd',
    '--logger-fd',
    '--keyserver',
    '-o',
    '--output',
    '--default-key',
    '-u',
    '--local-user',
    '-r',
    '--recipient',
    '--trustdb-name',
    '--secret-keyring',
    '--primary-keyring',
    '--keyserver-options',
    '--import-options',
    '--export-options',
    '--verify-options',
    '--digest-algo',
    '--weak-digest',
    '--pinentry-mode',
    '--passphrase',
    '--passphrase-fd',
    '--passphrase-file',
    '--command-fd',
    '--status-file',
    '--logger-file',
    '--compliance',
    '--auto-key-locate',
    '--set-filename',
    '--max-output',
  ],
});
const OPENSSL = options({
  singleDash: true,
  valued: [
    '-verify',
    '-signature',
    '-prverify',
    '-sign',
    '-keyform',
    '-out',
    '-hmac',
    '-mac',
    '-macopt',
    '-passin',
    '-sigopt',
    '-engine',
    '-rand',
    '-writerand',
    '-digest',
    '-provider',
    '-propquery',
  ],
});

/** A git command line: global options, subcommand, its arguments, and the directory it works in. */
function gitCommand(cmd: ShellCommand): { sub: string | undefined; args: ResolvedWord[]; dir: string | undefined } {
  const args = cmd.argv.slice(1);
  const global = parseArgs(args, GIT_GLOBAL);
  let dir = cmd.cwd;
  for (const c of valuesOf(global, '-C')) dir = c.resolved ? resolvePath(dir, c.value!) : undefined;
  const sub = global.operands[0];
  return { sub: sub?.resolved ? sub.value! : undefined, args: global.operands.slice(1), dir };
}

/** The last path segment of a URL (query and fragment dropped), as curl -O and wget name their file. */
export function fileNameOf(url: ResolvedWord, fallback?: string): ResolvedWord | undefined {
  const text = url.resolved ? url.value! : url.partial;
  if (text === undefined) return undefined;
  const path = text.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === '') return fallback === undefined ? undefined : derived(url, fallback);
  if (!name.includes(UNKNOWN_PIECE)) return derived(url, decodeURIComponentSafe(name));
  return {
    resolved: false,
    text: url.text,
    range: url.range,
    partial: name,
    reason: url.reason ?? 'file name is not known',
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function joinDir(dir: ResolvedWord | undefined, file: ResolvedWord | undefined): ResolvedWord | undefined {
  if (dir === undefined || file === undefined) return file;
  if (dir.resolved && file.resolved) return derived(file, `${dir.value!.replace(/\/+$/, '')}/${file.value}`);
  return {
    resolved: false,
    text: file.text,
    range: file.range,
    reason: dir.resolved ? (file.reason ?? 'file name is not known') : (dir.reason ?? 'directory is not known'),
  };
}

/** Standard output sent to a file by `>`/`>>`. */
function stdoutFile(cmd: ShellCommand): ResolvedWord | undefined {
  const r = [...cmd.redirects]
    .reverse()
    .find(
      (r) =>
        (r.op === '>' || r.op === '>>' || r.op === '>|' || r.op === '&>' || r.op === '&>>') &&
        (r.fd === undefined || r.fd === 1),
    );
  return r?.target;
}

function download(
  cmd: ShellCommand,
  ctx: IntentContext,
  tool: DownloadIntent['tool'],
  url: ResolvedWord,
  output: ResolvedWord | undefined,
  insecure: boolean,
): DownloadIntent {
  const out: DownloadIntent = { kind: 'Download', tool, url, command: cmd.index, range: cmd.range };
  if (output !== undefined) out.output = output;
  else {
    const file = stdoutFile(cmd);
    if (file !== undefined) out.output = file;
    else if (cmd.pipedTo !== undefined) {
      out.pipedToCommand = cmd.pipedTo;
      const name = ctx.effective(cmd.pipedTo).name;
      if (name !== undefined) out.pipedTo = name;
    }
  }
  if (insecure) out.insecure = true;
  return out;
}

export function downloadIntents(cmd: ShellCommand, ctx: IntentContext): DownloadIntent[] {
  const args = cmd.argv.slice(1);
  if (cmd.name === 'curl') {
    const parsed = parseArgs(args, CURL);
    const urls = [...valuesOf(parsed, '--url'), ...parsed.operands];
    const outputs = valuesOf(parsed, '-o', '--output');
    const remoteName = has(parsed, '-O', '--remote-name', '--remote-name-all');
    const dir = valueOf(parsed, '--output-dir');
    const insecure = has(parsed, '-k', '--insecure');
    return urls.map((url, i) => {
      let output = outputs[i];
      if (output?.value === '-') output = undefined;
      else if (output === undefined && remoteName) output = fileNameOf(url);
      return download(cmd, ctx, 'curl', url, joinDir(dir, output), insecure);
    });
  }
  if (cmd.name === 'wget') {
    const parsed = parseArgs(args, WGET);
    const document = valueOf(parsed, '-O', '--output-document');
    const dir = valueOf(parsed, '-P', '--directory-prefix');
    const insecure = has(parsed, '--no-check-certificate');
    const out = parsed.operands.map((url) => {
      const output =
        document !== undefined
          ? document.value === '-'
            ? undefined
            : document
          : joinDir(dir, fileNameOf(url, 'index.html'));
      return download(cmd, ctx, 'wget', url, output, insecure);
    });
    for (const list of valuesOf(parsed, '-i', '--input-file')) {
      // The URLs, and so the files written, are listed in a file.
      const reason = `URLs are read from ${list.value ?? list.text}`;
      const url: ResolvedWord = { resolved: false, text: list.text, range: list.range, reason };
      const output =
        document !== undefined && document.value !== '-'
          ? document
          : { ...url, reason: `file names come from the URLs in ${list.value ?? list.text}` };
      out.push(download(cmd, ctx, 'wget', url, output, insecure));
    }
    return out;
  }
  if (cmd.name === 'git') {
    const git = gitCommand(cmd);
    if (git.sub !== 'archive') return NONE;
    const parsed = parseArgs(git.args, GIT_ARCHIVE);
    const remote = valueOf(parsed, '--remote');
    if (remote === undefined) return NONE;
    return [download(cmd, ctx, 'git', remote, valueOf(parsed, '-o', '--output'), false)];
  }
  return NONE;
}

// ---------------------------------------------------------------------------
// Verify

const CHECKSUM_TOOLS = /^(sha(1|224|256|384|512)sum|md5sum|b2sum|shasum|cksum)$/;
const DIGESTS = new Set(['sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'md5', 'sha3-256', 'sha3-512', 'blake2b512']);

/** The text a command reads on its standard input, when it comes from a heredoc, a here-string or echo/printf. */
function inputText(cmd: ShellCommand, ctx: IntentContext): { text: string; source: ResolvedWord } | undefined {
  const doc = [...cmd.redirects].reverse().find((r) => r.content !== undefined && (r.fd === undefined || r.fd === 0));
  if (doc?.content !== undefined) {
    const text = doc.content.resolved ? doc.content.value! : doc.content.partial;
    return text === undefined ? undefined : { text, source: doc.content };
  }
  if (cmd.pipedFrom === undefined) return undefined;
  const from = ctx.effective(cmd.pipedFrom);
  const words = from.argv.slice(1);
  const piece = (w: ResolvedWord): string | undefined => (w.resolved ? w.value! : w.partial);
  if (words.length === 0) return undefined;
  if (from.name === 'echo') {
    const parts = words.filter((w, i) => !(i === 0 && /^-[neE]+$/.test(w.value ?? '')));
    const texts = parts.map(piece);
    if (texts.some((t) => t === undefined)) return undefined;
    return { text: texts.join(' '), source: words[0]! };
  }
  if (from.name === 'printf') {
    const texts = words.map(piece);
    if (texts.some((t) => t === undefined)) return undefined;
    const formatted = printf(texts[0]!, texts.slice(1) as string[]);
    return formatted === undefined ? undefined : { text: formatted, source: words[0]! };
  }
  return undefined;
}

/** printf with `%s` and backslash escapes (enough for checksum lines); undefined for other directives. */
function printf(format: string, args: string[]): string | undefined {
  let out = '';
  let k = 0;
  do {
    let used = false;
    for (let i = 0; i < format.length; i++) {
      const c = format[i]!;
      if (c === '\\' && i + 1 < format.length) {
        const e = format[++i]!;
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === '\\' ? '\\' : `\\${e}`;
      } else if (c === '%') {
        const d = format[++i];
        if (d === '%') out += '%';
        else if (d === 's') {
          out += args[k++] ?? '';
          used = true;
        } else return undefined;
      } else out += c;
    }
    if (!used) break;
  } while (k < args.length);
  return out;
}

/** `<digest>  <file>` or `<digest> *<file>` lines, and BSD's `SHA256 (file) = digest`. */
function checksumLines(text: string): Array<{ digest: string; file: string }> {
  const out: Array<{ digest: string; file: string }> = [];
  for (const line of text.split('\n')) {
    const bsd = /^\s*[A-Z0-9-]+\s*\((.+)\)\s*=\s*(\S+)\s*$/.exec(line);
    if (bsd !== null) {
      out.push({ digest: bsd[2]!, file: bsd[1]! });
      continue;
    }
    const gnu = /^\s*(\S+)\s+\*?(.*\S)\s*$/.exec(line);
    if (gnu !== null) out.push({ digest: gnu[1]!, file: gnu[2]! });
  }
  return out;
}

function verify(
  cmd: ShellCommand,
  tool: string,
  fields: Partial<Pick<VerifyIntent, 'target' | 'checksumFile' | 'signature' | 'expected'>>,
): VerifyIntent {
  const out: VerifyIntent = { kind: 'Verify', tool, command: cmd.index, range: cmd.range };
  if (fields.target) out.target = fields.target;
  if (fields.checksumFile) out.checksumFile = fields.checksumFile;
  if (fields.signature) out.signature = fields.signature;
  if (fields.expected) out.expected = fields.expected;
  return out;
}

function pieceWord(source: ResolvedWord, value: string): ResolvedWord {
  if (!value.includes(UNKNOWN_PIECE)) return derived(source, value);
  return {
    resolved: false,
    text: source.text,
    range: source.range,
    partial: value,
    reason: source.reason ?? 'not known',
  };
}

/** May a command of this name verify a file? */
export function verifiesWith(name: string): boolean {
  return (
    CHECKSUM_TOOLS.test(name) ||
    name === 'gpg' ||
    name === 'gpg2' ||
    name === 'gpgv' ||
    name === 'gpgv2' ||
    name === 'openssl'
  );
}

export function verifyIntents(cmd: ShellCommand, ctx: IntentContext): VerifyIntent[] {
  const name = cmd.name!;
  const args = cmd.argv.slice(1);
  if (CHECKSUM_TOOLS.test(name)) {
    const parsed = parseArgs(args, CHECKSUM);
    if (!has(parsed, '-c', '--check')) return NONE;
    const lists = parsed.operands.filter((w) => w.value !== '-');
    if (lists.length > 0) return lists.map((list) => verify(cmd, name, { checksumFile: list }));
    const input = inputText(cmd, ctx);
    if (input === undefined) {
      const file = cmd.redirects.find((r) => r.op === '<' && (r.fd === undefined || r.fd === 0));
      return [verify(cmd, name, file ? { checksumFile: file.target } : {})];
    }
    const lines = checksumLines(input.text);
    if (lines.length === 0) return [verify(cmd, name, {})];
    return lines.map((l) =>
      verify(cmd, name, {
        target: pieceWord(input.source, l.file),
        ...(l.digest.includes(UNKNOWN_PIECE) ? {} : { expected: l.digest }),
      }),
    );
  }
  if (name === 'gpg' || name === 'gpg2' || name === 'gpgv' || name === 'gpgv2') {
    const parsed = parseArgs(args, GPG);
    if (!name.startsWith('gpgv') && !has(parsed, '--verify', '--verify-files')) return NONE;
    const [signature, ...files] = parsed.operands;
    if (signature === undefined) return [verify(cmd, name, {})];
    if (files.length > 0) return files.map((target) => verify(cmd, name, { signature, target }));
    // A detached signature `x.asc` signs `x`; otherwise the file carries its own signature.
    const v = signature.resolved ? signature.value! : undefined;
    if (v !== undefined && /\.(asc|sig|sign|gpg)$/.test(v))
      return [verify(cmd, name, { signature, target: derived(signature, v.replace(/\.(asc|sig|sign|gpg)$/, '')) })];
    return [verify(cmd, name, { target: signature })];
  }
  if (name === 'openssl') {
    const sub = args[0]?.value;
    if (sub !== 'dgst' && !DIGESTS.has(sub ?? '')) return NONE;
    const parsed = parseArgs(args.slice(1), OPENSSL);
    const signature = valueOf(parsed, '-signature');
    const files = parsed.operands;
    if (files.length === 0) return [verify(cmd, 'openssl', signature ? { signature } : {})];
    return files.map((target) => verify(cmd, 'openssl', signature ? { target, signature } : { target }));
  }
  return NONE;
}

// ---------------------------------------------------------------------------
// Extract

const TAR_VALUED_LETTERS = new Set(['f', 'C', 'b', 'T', 'X', 'K', 'N', 'g', 'F', 'L', 'V', 'I']);

/** `tar xzf file` (old style, no dash): each letter an option, values taken from the following words in order. */
function tarArguments(args: ResolvedWord[]): ResolvedWord[] {
  const first = args[0];
  if (!first?.resolved || !/^[A-Za-z]+$/.test(first.value!)) return args;
  const out: ResolvedWord[] = [];
  let next = 1;
  for (const letter of first.value!) {
    out.push(derived(first, `-${letter}`));
    if (TAR_VALUED_LETTERS.has(letter) && next < args.length) out.push(args[next++]!);
  }
  return [...out, ...args.slice(next)];
}

const TAR = options({
  valued: [
    '-f',
    '--file',
    '-C',
    '--directory',
    '-b',
    '--blocking-factor',
    '-T',
    '--files-from',
    '-X',
    '--exclude-from',
    '-K',
    '--starting-file',
    '-N',
    '--newer',
    '--after-date',
    '-g',
    '--listed-incremental',
    '-F',
    '--info-script',
    '-L',
    '--tape-length',
    '-V',
    '--label',
    '-I',
    '--use-compress-program',
    '--transform',
    '--xform',
    '--owner',
    '--group',
    '--mode',
    '--mtime',
    '--exclude',
    '--strip-components',
    '--to-command',
    '--checkpoint-action',
    '--warning',
    '--index-file',
    '--format',
    '-H',
    '--record-size',
    '--suffix',
    '--volno-file',
    '--rsh-command',
    '--owner-map',
    '--group-map',
    '--newer-mtime',
    '--occurrence',
    '--sort',
    '--hole-detection',
    '--xattrs-include',
    '--xattrs-exclude',
  ],
});

function extract(
  cmd: ShellCommand,
  tool: string,
  archive: ResolvedWord | undefined,
  dest: ResolvedWord | undefined,
): ExtractIntent {
  const out: ExtractIntent = { kind: 'Extract', tool, command: cmd.index, range: cmd.range };
  if (archive !== undefined && archive.value !== '-') out.archive = archive;
  else {
    const file = cmd.redirects.find((r) => r.op === '<' && (r.fd === undefined || r.fd === 0));
    if (file !== undefined) out.archive = file.target;
    else if (cmd.pipedFrom !== undefined) out.pipedFrom = cmd.pipedFrom;
  }
  if (dest !== undefined) out.dest = dest;
  return out;
}

export function extractIntents(cmd: ShellCommand, _ctx: IntentContext): ExtractIntent[] {
  const name = cmd.name!;
  const args = cmd.argv.slice(1);
  if (name === 'tar' || name === 'bsdtar' || name === 'gtar') {
    const parsed = parseArgs(tarArguments(args), TAR);
    if (!has(parsed, '-x', '--extract', '--get')) return NONE;
    return [extract(cmd, name, valueOf(parsed, '-f', '--file'), valueOf(parsed, '-C', '--directory'))];
  }
  if (name === 'unzip') {
    const parsed = parseArgs(args, UNZIP);
    const archive = parsed.operands[0];
    if (archive === undefined) return NONE;
    return [extract(cmd, name, archive, valueOf(parsed, '-d'))];
  }
  if (name === '7z' || name === '7za' || name === '7zr') {
    const mode = args[0]?.value;
    if (mode !== 'x' && mode !== 'e') return NONE;
    const rest = args.slice(1);
    const archive = rest.find((w) => !(w.value ?? w.text).startsWith('-'));
    const out = rest.find((w) => w.resolved && w.value!.startsWith('-o'));
    return [extract(cmd, name, archive, out ? derived(out, out.value!.slice(2)) : undefined)];
  }
  if (name === 'dpkg-deb' || name === 'dpkg') {
    const parsed = parseArgs(args, DPKG_DEB);
    if (!has(parsed, '-x', '--extract', '-X', '--vextract')) return NONE;
    const [archive, dest] = parsed.operands;
    return archive === undefined ? [] : [extract(cmd, name, archive, dest)];
  }
  return NONE;
}

// ---------------------------------------------------------------------------
// Clone

export interface CloneTracker {
  /** Clones whose ref may still be set by a later checkout, with the directory they went to. */
  open: Array<{ intent: CloneIntent; dir: string | undefined }>;
}

function isCommitId(ref: ResolvedWord | undefined): boolean {
  return ref !== undefined && ref.resolved && /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(ref.value!);
}

const CLONE = options({
  valued: [
    '-b',
    '--branch',
    '--depth',
    '-c',
    '--config',
    '-o',
    '--origin',
    '--reference',
    '--reference-if-able',
    '--filter',
    '-j',
    '--jobs',
    '--shallow-since',
    '--shallow-exclude',
    '--template',
    '--separate-git-dir',
    '-u',
    '--upload-pack',
    '--server-option',
    '--bundle-uri',
  ],
});

export function cloneIntents(cmd: ShellCommand, ctx: IntentContext): CloneIntent[] {
  if (cmd.name !== 'git') return NONE;
  const git = gitCommand(cmd);
  if (git.sub === 'clone') {
    const parsed = parseArgs(git.args, CLONE);
    const [url, dest] = parsed.operands;
    if (url === undefined) return NONE;
    const intent: CloneIntent = { kind: 'Clone', url, pinned: false, command: cmd.index, range: cmd.range };
    const ref = valueOf(parsed, '-b', '--branch');
    if (ref !== undefined) {
      intent.ref = ref;
      intent.pinned = isCommitId(ref);
    }
    if (dest !== undefined) intent.dest = dest;
    const name = dest?.resolved
      ? dest.value!
      : url.resolved
        ? basename(url.value!.replace(/[?#].*$/, '')).replace(/\.git$/, '')
        : undefined;
    ctx.clones.open.push({ intent, dir: name === undefined ? undefined : resolvePath(git.dir, name) });
    return [intent];
  }
  if (git.sub === 'checkout' || git.sub === 'switch' || git.sub === 'reset') {
    const parsed = parseArgs(git.args, GIT_CHECKOUT);
    if (git.sub === 'reset' && !has(parsed, '--hard', '--keep', '--merge', '--soft', '--mixed')) return NONE;
    const ref = parsed.operands[0];
    if (ref === undefined) return NONE;
    const open = ctx.clones.open;
    let match = -1;
    for (let i = open.length - 1; i >= 0; i--) {
      const dir = open[i]!.dir;
      if (dir === undefined || git.dir === undefined || dir === git.dir) {
        match = i;
        break;
      }
    }
    if (match < 0) return NONE;
    const clone = open[match]!.intent;
    clone.ref = ref;
    clone.pinned = isCommitId(ref);
  }
  return NONE;
}
