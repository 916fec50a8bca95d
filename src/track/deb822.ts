/**
 * Debian control-file syntax (deb822): paragraphs of "Field: value" lines,
 * continuation lines starting with a space or tab, " ." standing for an empty
 * line inside a multi-line value. Used by dpkg's status database and by DEP-5
 * copyright files. Tolerant: a line that fits no rule is reported, not fatal.
 */

export interface Deb822Field {
  /** Field name as written. */
  name: string;
  /** Text after the colon on the field's first line, trimmed. */
  first: string;
  /** Continuation lines with their one leading blank removed and " ." made empty. */
  rest: string[];
  /** 1-based line of the field name. */
  line: number;
}

export interface Deb822Paragraph {
  /** Fields by lower-cased name; a repeated field keeps its first occurrence. */
  fields: Map<string, Deb822Field>;
  /** 1-based line where the paragraph starts. */
  line: number;
}

export interface Deb822Result {
  paragraphs: Deb822Paragraph[];
  problems: { line: number; reason: string }[];
}

/** Cap on reported problems per file: a binary file would otherwise report one per line. */
const MAX_PROBLEMS = 20;

export function parseDeb822(text: string): Deb822Result {
  const paragraphs: Deb822Paragraph[] = [];
  const problems: { line: number; reason: string }[] = [];
  const report = (line: number, reason: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, reason });
  };
  let para: Deb822Paragraph | undefined;
  let field: Deb822Field | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.trim() === '') {
      para = undefined;
      field = undefined;
      continue;
    }
    if (raw.startsWith('#')) continue;
    if (raw[0] === ' ' || raw[0] === '\t') {
      if (!field) {
        report(lineNo, 'continuation line outside a field');
        continue;
      }
      const body = raw.slice(1);
      field.rest.push(body.trim() === '.' ? '' : body);
      continue;
    }
    const colon = raw.indexOf(':');
    const name = colon > 0 ? raw.slice(0, colon) : '';
    if (!name || /[\s]/.test(name)) {
      report(lineNo, `not a "Field: value" line: ${JSON.stringify(raw.slice(0, 60))}`);
      field = undefined;
      continue;
    }
    if (!para) {
      para = { fields: new Map(), line: lineNo };
      paragraphs.push(para);
    }
    field = { name, first: raw.slice(colon + 1).trim(), rest: [], line: lineNo };
    const key = name.toLowerCase();
    if (para.fields.has(key)) report(lineNo, `field ${name} repeated in one paragraph`);
    else para.fields.set(key, field);
  }
  return { paragraphs, problems };
}

/** A field's first line, or undefined when absent or empty. */
export function fieldValue(p: Deb822Paragraph, name: string): string | undefined {
  const f = p.fields.get(name.toLowerCase());
  return f && f.first !== '' ? f.first : undefined;
}

/** A field's whole value: first line and continuation lines joined with newlines, trimmed. */
export function fieldText(p: Deb822Paragraph, name: string): string | undefined {
  const f = p.fields.get(name.toLowerCase());
  if (!f) return undefined;
  const t = [f.first, ...f.rest].join('\n').trim();
  return t === '' ? undefined : t;
}

/**
 * Package names out of a relationship field ("libc6 (>= 2.34), libfoo | libbar,
 * python3:any"): versions, architecture qualifiers and build profiles dropped,
 * every alternative kept, duplicates removed, order kept.
 */
export function relationshipNames(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const group of value.split(',')) {
    for (const alt of group.split('|')) {
      const m = /^\s*([a-z0-9][a-z0-9+.-]*)/i.exec(alt);
      if (m && !out.includes(m[1]!)) out.push(m[1]!);
    }
  }
  return out;
}
