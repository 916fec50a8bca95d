/**
 * The attribution file as one self-contained HTML page: inline style, no
 * scripts, no external assets, every SBOM-provided string escaped.
 */
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

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1b1b1b}
h1,h2,h3{line-height:1.2}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.3rem 0 1rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.8rem;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}
code{font-size:.9em;overflow-wrap:anywhere}.component{margin-left:1rem}.missing{color:#8a1c1c}.source{color:#555;font-size:.9rem}`;

function dl(fields: Array<[string, string]>): string {
  if (fields.length === 0) return '';
  return `<dl>${fields.map(([k, v]) => `<dt>${htmlEscape(k)}</dt><dd>${k === 'Package URL' ? `<code>${htmlEscape(v)}</code>` : htmlEscape(v)}</dd>`).join('')}</dl>`;
}

export function renderHtml(a: Attribution): string {
  const anchors = licenseAnchors(a);
  const link = (id: string): string => `<a href="#${htmlEscape(anchors.get(id) ?? '')}">${htmlEscape(id)}</a>`;
  const H: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${htmlEscape(`${TITLE}: ${a.image.name}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${htmlEscape(TITLE)}</h1>`,
    dl(headerFields(a)),
    `<p>${htmlEscape(summary(a))}</p>`,
    '<h2 id="components">1. Components by license</h2>',
  ];
  if (a.groups.length === 0) H.push('<p>No component of the image has a known license.</p>');
  for (const g of a.groups) {
    H.push(`<section><h3>${htmlEscape(g.expression)}</h3>`, `<p>Full texts: ${g.terms.map(link).join(', ')}</p>`);
    for (const c of g.components)
      H.push(`<div class="component"><h4>${htmlEscape(componentLabel(c))}</h4>${dl(componentFields(c))}</div>`);
    H.push('</section>');
  }
  H.push('<h2 id="license-texts">2. License texts</h2>');
  if (a.licenses.length === 0) H.push('<p>No license texts.</p>');
  for (const l of a.licenses) {
    H.push(`<section id="${htmlEscape(anchors.get(l.id) ?? '')}"><h3>${htmlEscape(licenseHeading(l))}</h3>`);
    if (l.missing)
      H.push(
        `<p class="missing">No text available: ${htmlEscape(l.missing)}.</p>`,
        `<p>${htmlEscape(usedBy(l.missingFor ?? []))}</p>`,
      );
    for (const v of l.variants) {
      H.push(
        `<p class="source">${htmlEscape(variantSource(v))}</p>`,
        `<p>${htmlEscape(usedBy(v.usedBy))}</p>`,
        `<pre>${htmlEscape(textBlock(v.text))}</pre>`,
      );
    }
    H.push('</section>');
  }
  H.push('<h2 id="not-attributed">3. Not attributed</h2>');
  const un = a.notAttributed;
  if (un.steps.length === 0 && un.unknownLicense.length === 0) H.push(`<p>${htmlEscape(NOTHING_UNATTRIBUTED)}</p>`);
  if (un.steps.length) {
    H.push(`<p>${htmlEscape(NOT_ATTRIBUTED_FILES_INTRO)}</p>`);
    for (const s of un.steps) {
      const title = `Step ${s.step}${s.location ? `, ${s.location}` : ''}${s.stage ? ` (${s.stage})` : ''}`;
      H.push(`<section><h3>${htmlEscape(title)}</h3>`);
      if (s.instruction) H.push(`<pre>${htmlEscape(textBlock(s.instruction))}</pre>`);
      H.push(
        `<p>${s.files.length} file${s.files.length === 1 ? '' : 's'}:</p>`,
        `<ul>${s.files.map((f) => `<li><code>${htmlEscape(f)}</code></li>`).join('')}</ul>`,
        '</section>',
      );
    }
  }
  if (un.unknownLicense.length) {
    H.push(`<p>${htmlEscape(UNKNOWN_LICENSE_INTRO)}</p>`, '<ul>');
    for (const u of un.unknownLicense) {
      H.push(
        `<li><strong>${htmlEscape(componentLabel(u))}</strong>${u.installedBy ? ` (${htmlEscape(u.installedBy)})` : ''}: ${htmlEscape(u.reason)}</li>`,
      );
    }
    H.push('</ul>');
  }
  H.push('</body>', '</html>');
  return H.filter((x) => x !== '').join('\n') + '\n';
}
