/** The attribution file as CommonMark (GitHub-flavoured anchors via inline <a id>). */
import type { Attribution } from './model.js';
import {
  componentFields,
  componentLabel,
  headerFields,
  licenseAnchors,
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

/** Escapes what Markdown would read as markup (emphasis, links, HTML, code, tables, headings). */
export function mdEscape(s: string): string {
  // Brackets are escaped, so parentheses can never form a link; `#`, `+`, `-` only matter at a line start, which never holds SBOM text.
  return s
    .replace(/[\\`*_[\]<>|~&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : '\\' + c))
    .replace(/\n/g, ' ');
}

/** A code fence longer than any backtick run inside the text, so no text can close it early. */
function fence(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function inlineCode(s: string): string {
  const f = '`'.repeat((s.match(/`+/g) ?? []).reduce((n, r) => Math.max(n, r.length), 0) + 1);
  return f.length > 1 ? `${f} ${s} ${f}` : `\`${s}\``;
}

export function renderMarkdown(a: Attribution): string {
  const anchors = licenseAnchors(a);
  const link = (id: string): string => `[${mdEscape(id)}](#${anchors.get(id) ?? ''})`;
  const L: string[] = [`# ${TITLE}`, ''];
  for (const [k, v] of headerFields(a)) L.push(`- **${k}:** ${mdEscape(v)}`);
  L.push('', mdEscape(summary(a)), '');

  L.push('## 1. Components by license', '');
  if (a.groups.length === 0) L.push('No component of the image has a known license.', '');
  for (const g of a.groups) {
    L.push(`### ${mdEscape(g.expression)}`, '');
    L.push(`Full texts: ${g.terms.map(link).join(', ')}`, '');
    for (const c of g.components) {
      L.push(`- **${mdEscape(componentLabel(c))}**`);
      for (const [k, v] of componentFields(c)) L.push(`  - ${k}: ${k === 'Package URL' ? inlineCode(v) : mdEscape(v)}`);
    }
    L.push('');
  }

  L.push('## 2. License texts', '');
  if (a.licenses.length === 0) L.push('No license texts.', '');
  for (const l of a.licenses) {
    L.push(`### <a id="${anchors.get(l.id)}"></a>${mdEscape(licenseHeading(l))}`, '');
    if (l.missing)
      L.push(`**No text available:** ${mdEscape(l.missing)}.`, '', mdEscape(usedBy(l.missingFor ?? [])), '');
    for (const v of l.variants) {
      const f = fence(v.text);
      L.push(mdEscape(variantSource(v)), '', mdEscape(usedBy(v.usedBy)), '', f + 'text', textBlock(v.text) + f, '');
    }
  }

  L.push('## 3. Not attributed', '');
  const un = a.notAttributed;
  if (un.steps.length === 0 && un.unknownLicense.length === 0) L.push(NOTHING_UNATTRIBUTED, '');
  if (un.steps.length) {
    L.push(mdEscape(NOT_ATTRIBUTED_FILES_INTRO), '');
    for (const s of un.steps) {
      L.push(
        `### Step ${mdEscape(s.step)}${s.location ? `, ${mdEscape(s.location)}` : ''}${s.stage ? ` (${mdEscape(s.stage)})` : ''}`,
        '',
      );
      if (s.instruction) {
        const f = fence(s.instruction);
        L.push(f + 'dockerfile', textBlock(s.instruction) + f, '');
      }
      L.push(`${s.files.length} file${s.files.length === 1 ? '' : 's'}:`, '');
      for (const file of s.files) L.push(`- ${inlineCode(file)}`);
      L.push('');
    }
  }
  if (un.unknownLicense.length) {
    L.push(mdEscape(UNKNOWN_LICENSE_INTRO), '');
    for (const u of un.unknownLicense) {
      L.push(
        `- **${mdEscape(componentLabel(u))}**${u.installedBy ? ` (${mdEscape(u.installedBy)})` : ''}: ${mdEscape(u.reason)}`,
      );
    }
    L.push('');
  }
  return L.join('\n').replace(/\n+$/, '') + '\n';
}
