/** The attribution file as plain text (UTF-8, LF line ends). */
import type { Attribution } from './model.js';
import {
  componentFields,
  componentLabel,
  headerFields,
  licenseHeading,
  NOT_ATTRIBUTED_FILES_INTRO,
  NOTHING_UNATTRIBUTED,
  summary,
  TITLE,
  textBlock,
  UNKNOWN_LICENSE_INTRO,
  usedBy,
  variantSource,
} from './render-common.js';

function heading(title: string, ch: string): string[] {
  return [title, ch.repeat(title.length), ''];
}

/** Wraps a long line at word boundaries, indenting continuation lines. */
function wrap(text: string, indent: string, width = 100): string[] {
  const out: string[] = [];
  let line = indent;
  for (const word of text.split(' ')) {
    if (line.trim() !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent + '  ' + word;
    } else line += (line.trim() === '' ? '' : ' ') + word;
  }
  out.push(line);
  return out;
}

export function renderText(a: Attribution): string {
  const L: string[] = [...heading(TITLE.toUpperCase(), '=')];
  for (const [k, v] of headerFields(a)) L.push(`${k}: ${v}`);
  L.push('', ...wrap(summary(a), ''), '');

  L.push(...heading('1. Components by license', '-'));
  if (a.groups.length === 0) L.push('No component of the image has a known license.', '');
  for (const g of a.groups) {
    L.push(`License: ${g.expression}`);
    L.push(`  Full texts: ${g.terms.join(', ')} (section 2)`, '');
    for (const c of g.components) {
      L.push(`  ${componentLabel(c)}`);
      for (const [k, v] of componentFields(c)) L.push(`    ${k}: ${v}`);
      L.push('');
    }
  }

  L.push(...heading('2. License texts', '-'));
  if (a.licenses.length === 0) L.push('No license texts.', '');
  for (const l of a.licenses) {
    L.push(`=== ${licenseHeading(l)} ===`, '');
    if (l.missing) {
      L.push(...wrap(`No text available: ${l.missing}.`, ''));
      L.push(...wrap(usedBy(l.missingFor ?? []), ''), '');
    }
    for (const v of l.variants) {
      L.push(...wrap(variantSource(v), ''));
      L.push(...wrap(usedBy(v.usedBy), ''), '');
      L.push(textBlock(v.text));
    }
  }

  L.push(...heading('3. Not attributed', '-'));
  const un = a.notAttributed;
  if (un.steps.length === 0 && un.unknownLicense.length === 0) L.push(NOTHING_UNATTRIBUTED, '');
  if (un.steps.length) {
    L.push(...wrap(NOT_ATTRIBUTED_FILES_INTRO, ''), '');
    for (const s of un.steps) {
      L.push(`  Step ${s.step}${s.location ? `, ${s.location}` : ''}${s.stage ? ` (${s.stage})` : ''}`);
      if (s.instruction) L.push(...s.instruction.split('\n').map((x) => `    ${x}`));
      L.push(`    ${s.files.length} file${s.files.length === 1 ? '' : 's'}:`);
      for (const f of s.files) L.push(`      ${f}`);
      L.push('');
    }
  }
  if (un.unknownLicense.length) {
    L.push(UNKNOWN_LICENSE_INTRO, '');
    for (const u of un.unknownLicense) {
      L.push(`  ${componentLabel(u)}${u.installedBy ? ` [${u.installedBy}]` : ''}`);
      L.push(...wrap(u.reason, '    '));
    }
    L.push('');
  }
  return L.join('\n').replace(/\n+$/, '') + '\n';
}
