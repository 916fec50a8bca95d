/**
 * Files as a script names them: a word (resolved or not) and the directory
 * the command ran in, and whether two such names may be the same file.
 */
import { UNKNOWN_PIECE, type ResolvedWord } from '../../../shell/index.js';

export interface FileRef {
  word: ResolvedWord;
  /** The command's working directory, when known. */
  cwd?: string;
  /** Nothing of its name is known (`curl -O "$URL"`): only a check of unknown files can be about it. */
  unnamed?: boolean;
}

export function baseName(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** `p` made absolute against `cwd` and normalised; undefined for a relative path in an unknown directory. */
export function resolvePath(cwd: string | undefined, p: string): string | undefined {
  if (!p.startsWith('/') && cwd === undefined) return undefined;
  const out: string[] = [];
  for (const seg of (p.startsWith('/') ? p : `${cwd}/${p}`).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/** Is `p` the directory `dir` or inside it? */
export function within(p: string, dir: string): boolean {
  return p === dir || dir === '/' || p.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

/** The absolute path of a file reference, when it is known. */
export function absolute(f: FileRef): string | undefined {
  return f.word.resolved ? resolvePath(f.cwd, f.word.value!) : undefined;
}

function unquoted(text: string): string {
  return text.replace(/["']/g, '');
}

const patternCache = new Map<string, RegExp>();

/** A partially known name (`\ufffd` for each unknown piece) as a pattern over whole names. */
function pattern(partial: string): RegExp {
  let re = patternCache.get(partial);
  if (re === undefined) {
    const body = partial
      .split(UNKNOWN_PIECE)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^]*');
    re = new RegExp(`^(?:[^]*/)?${body}$`);
    if (patternCache.size < 1024) patternCache.set(partial, re);
  }
  return re;
}

/**
 * May `a` and `b` name the same file? Resolved names compare as absolute
 * paths when both directories are known, else by file name; a partly known
 * name matches the names its known pieces allow; unknown names match when
 * written the same way.
 */
export function sameFile(a: FileRef, b: FileRef): boolean {
  if (a.unnamed || b.unnamed) return false;
  const aw = a.word;
  const bw = b.word;
  if (aw.resolved && bw.resolved) {
    const pa = resolvePath(a.cwd, aw.value!);
    const pb = resolvePath(b.cwd, bw.value!);
    if (pa !== undefined && pb !== undefined) return pa === pb;
    return baseName(aw.value!) === baseName(bw.value!);
  }
  if (aw.resolved && bw.partial !== undefined) return pattern(bw.partial).test(absolute(a) ?? aw.value!);
  if (bw.resolved && aw.partial !== undefined) return pattern(aw.partial).test(absolute(b) ?? bw.value!);
  if (aw.partial !== undefined && aw.partial === bw.partial) return true;
  return unquoted(aw.text) === unquoted(bw.text);
}

/**
 * What is known of a word from its start: its value, or its known pieces up
 * to the first unknown one, or (when the analysis kept no pieces, as for an
 * unquoted `$X` that might split) its text up to the first expansion.
 */
export function knownPrefix(w: ResolvedWord): string {
  if (w.resolved) return w.value!;
  if (w.partial !== undefined) {
    const cut = w.partial.indexOf(UNKNOWN_PIECE);
    return cut < 0 ? w.partial : w.partial.slice(0, cut);
  }
  return w.text.split(/[$`]/)[0]!.replace(/["'\\]/g, '');
}
