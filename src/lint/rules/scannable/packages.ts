/** Reading package words the analysis could not resolve. */
import { UNKNOWN_PIECE, type PackageRef } from '../../../shell/index.js';
import { knownPrefix } from './paths.js';

/** A package name followed by a version separator: `pkg=`, `pkg==`, `pkg@`, `pkg>=`, `@scope/pkg@`. */
const NAME_THEN_VERSION = /^@?[A-Za-z0-9][A-Za-z0-9._+/-]*(=|==|@|:|>=|<=|~=|>|<|~)/;
const PACKAGE_FILE = /^(\/|\.\.?\/)|\.(deb|rpm|apk|whl|tgz|gem)$/;

/** What the word looks like when its value is not known: its known pieces, or its text up to the first expansion. */
function known(p: PackageRef): string {
  return p.word.partial ?? knownPrefix(p.word);
}

/**
 * Where the package comes from. The analysis calls every unresolved word a
 * registry package; one whose known text is a path or a package file name
 * (`/tmp/pkgs/app-${V}*.deb`) is a file.
 */
export function packageSource(p: PackageRef): PackageRef['source'] {
  if (p.source !== 'registry' || p.resolved) return p.source;
  const text = known(p);
  return PACKAGE_FILE.test(text.replace(/\*+$/, '')) || /^(\/|\.\.?\/)/.test(text) ? 'file' : 'registry';
}

/** Is one field's package name known (`pkg=\ufffd` for `pkg=$VERSION`)? */
function fieldNameKnown(field: string): boolean {
  const cut = Math.min(...[field.indexOf(UNKNOWN_PIECE), field.search(/[*?[]/)].filter((i) => i >= 0), field.length);
  return cut === field.length || NAME_THEN_VERSION.test(field.slice(0, cut));
}

/**
 * Is the package's name known even though its word is not? `pkg=$VERSION`,
 * `go install x@$V`, `s3cmd=1.1.0*`: only the version is unknown. A variable
 * holding several packages (`$pkgs` = "nginx=$V nginx-module-njs=$V") is
 * read field by field from its known pieces. An unquoted `$V` leaves no
 * known pieces in the analysis (it might split into several words): the
 * text before the first expansion is read instead, assuming a version holds
 * no blanks. A word whose pieces are all known is known: only its field
 * splitting is not, because src/lower lets the base image set IFS (shells
 * reset IFS at startup).
 */
export function nameKnown(p: PackageRef): boolean {
  if (p.resolved) return !p.word.glob || fieldNameKnown(p.word.value!);
  if (p.word.partial !== undefined && !p.word.partial.includes(UNKNOWN_PIECE)) return true;
  const fields = known(p)
    .split(/\s+/)
    .filter((f) => f !== '');
  return fields.length > 0 && fields.every(fieldNameKnown);
}
