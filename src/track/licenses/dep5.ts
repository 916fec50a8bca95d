/**
 * Debian copyright files (/usr/share/doc/<pkg>/copyright).
 *
 * Machine-readable ones (DEP-5, "Format: .../copyright-format/1.0/") give
 * license short names in Files paragraphs, full texts in stand-alone License
 * paragraphs, and Copyright fields. Free-form ones are read conservatively:
 * only references to Debian's /usr/share/common-licenses/* files count, and the
 * "or later" qualifier is taken only when the text next to the reference says so.
 */
import type { LicenseConfidence, LicenseEvidence, LicenseText } from '../package.js';
import { fieldText, parseDeb822, type Deb822Paragraph } from '../deb822.js';
import { mapDebianLicense } from './debian.js';
import { andAll, licenseRef, spdxLicenseId } from './spdx.js';
import { lookup } from '../lookup.js';

export interface CopyrightInfo {
  /** The file follows DEP-5 (has a Format field naming the copyright format). */
  dep5: boolean;
  licenses: LicenseEvidence[];
  /** AND of the distinct license expressions; undefined when none was found. */
  expression?: string;
  texts: LicenseText[];
  copyrights: string[];
  /** License names with no SPDX equivalent (they became LicenseRef-* ids). */
  unmapped: string[];
  problems: string[];
}

function licenseTextOf(p: Deb822Paragraph): { synopsis: string; text: string } | undefined {
  const f = p.fields.get('license');
  if (!f) return undefined;
  return { synopsis: f.first, text: f.rest.join('\n').replace(/\s+$/, '') };
}

function addCopyrights(out: string[], seen: Set<string>, value: string | undefined): void {
  if (!value) return;
  for (const line of value.split('\n')) {
    const c = line.trim();
    if (c !== '' && !seen.has(c)) {
      seen.add(c);
      out.push(c);
    }
  }
}

export function parseDep5(text: string, path: string): CopyrightInfo {
  const parsed = parseDeb822(text);
  const info: CopyrightInfo = {
    dep5: true,
    licenses: [],
    texts: [],
    copyrights: [],
    unmapped: [],
    problems: parsed.problems.map((p) => `line ${p.line}: ${p.reason}`),
  };
  const seenCopyright = new Set<string>();
  const seenExpr = new Set<string>();
  const seenText = new Set<string>();
  const addLicense = (synopsis: string, field: string): string => {
    const m = mapDebianLicense(synopsis);
    for (const u of m.unmapped) if (!info.unmapped.includes(u)) info.unmapped.push(u);
    if (!seenExpr.has(m.expression)) {
      seenExpr.add(m.expression);
      info.licenses.push({ expression: m.expression, original: synopsis, path, field, confidence: 'declared' });
    }
    return m.expression;
  };
  const addText = (synopsis: string, body: string): void => {
    if (body.trim() === '') return;
    const m = mapDebianLicense(synopsis);
    const key = m.expression + '\0' + body;
    if (seenText.has(key)) return;
    seenText.add(key);
    info.texts.push({ id: m.expression, name: synopsis, text: body, path });
  };

  parsed.paragraphs.forEach((p, index) => {
    const lic = licenseTextOf(p);
    const isHeader = index === 0 && p.fields.has('format');
    const files = fieldText(p, 'Files');
    addCopyrights(info.copyrights, seenCopyright, fieldText(p, 'Copyright'));
    if (!lic) {
      if (files) info.problems.push(`line ${p.line}: Files paragraph without a License field`);
      return;
    }
    if (lic.synopsis === '') {
      info.problems.push(`line ${p.line}: License field without a short name`);
      return;
    }
    if (files || isHeader) {
      addLicense(lic.synopsis, files ? `Files: ${files.split(/\s+/).slice(0, 3).join(' ')}` : 'License (header)');
    }
    // A stand-alone License paragraph, or a Files paragraph carrying the text inline.
    addText(lic.synopsis, lic.text);
  });
  info.expression = andAll(info.licenses.map((l) => l.expression));
  return info;
}

// common-licenses file name -> the SPDX id it holds, and whether it is a GNU license
// whose "only"/"or later" qualifier must come from the surrounding text.
const COMMON_LICENSES: Record<string, { id?: string; gnu?: { family: string; version?: string } }> = {
  'Apache-2.0': { id: 'Apache-2.0' },
  Artistic: { id: 'Artistic-1.0-Perl' },
  // Debian's common-licenses/BSD is the 3-clause license of the University of California.
  BSD: { id: 'BSD-3-Clause' },
  'CC0-1.0': { id: 'CC0-1.0' },
  'MPL-1.1': { id: 'MPL-1.1' },
  'MPL-2.0': { id: 'MPL-2.0' },
  GPL: { gnu: { family: 'GPL' } },
  'GPL-1': { gnu: { family: 'GPL', version: '1.0' } },
  'GPL-2': { gnu: { family: 'GPL', version: '2.0' } },
  'GPL-3': { gnu: { family: 'GPL', version: '3.0' } },
  LGPL: { gnu: { family: 'LGPL' } },
  'LGPL-2': { gnu: { family: 'LGPL', version: '2.0' } },
  'LGPL-2.1': { gnu: { family: 'LGPL', version: '2.1' } },
  'LGPL-3': { gnu: { family: 'LGPL', version: '3.0' } },
  GFDL: { gnu: { family: 'GFDL' } },
  'GFDL-1.2': { gnu: { family: 'GFDL', version: '1.2' } },
  'GFDL-1.3': { gnu: { family: 'GFDL', version: '1.3' } },
};

const VERSION_NAMES: Record<string, string> = {
  '1': '1.0',
  '2': '2.0',
  '3': '3.0',
  '2.1': '2.1',
  '1.2': '1.2',
  '1.3': '1.3',
};

/**
 * A free-form copyright file: references to /usr/share/common-licenses/<name>
 * and "Copyright ..." lines. The GNU version and "or later" come from the
 * paragraph holding the reference (and the one before it); without an explicit
 * "any later version" the version named is taken alone, at 'weak' confidence.
 */
export function parseFreeFormCopyright(text: string, path: string): CopyrightInfo {
  const info: CopyrightInfo = { dep5: false, licenses: [], texts: [], copyrights: [], unmapped: [], problems: [] };
  const seen = new Set<string>();
  const seenCopyright = new Set<string>();
  const paragraphs = text.split(/\n[ \t]*\n/);
  // The grant ("version 2.1 ... or (at your option) any later version") usually sits
  // a few paragraphs above the reference; never look past an earlier reference.
  let lastRef = -1;
  for (let i = 0; i < paragraphs.length; i++) {
    const para = paragraphs[i]!;
    for (const line of para.split('\n')) {
      if (line.length < 300 && /^\s*(copyright\b|\(c\)\s|©)/i.test(line)) {
        addCopyrights(info.copyrights, seenCopyright, line.trim().replace(/\s+/g, ' '));
      }
    }
    if (!para.includes('/usr/share/common-licenses/')) continue;
    const context = paragraphs
      .slice(Math.max(i - 3, lastRef + 1), i + 1)
      .join('\n')
      .replace(/\s+/g, ' ');
    lastRef = i;
    for (const m of para.matchAll(/\/usr\/share\/common-licenses\/([A-Za-z0-9.+-]*[A-Za-z0-9+])/g)) {
      const name = m[1]!;
      const known = lookup(COMMON_LICENSES, name);
      if (!known) continue;
      let expression: string | undefined;
      let confidence: LicenseConfidence = 'inferred';
      if (known.id) {
        expression = known.id;
      } else if (known.gnu) {
        const later = /any later version|or \(at your option\) any later|or later version/i.test(context);
        let version = known.gnu.version;
        if (!version) {
          // "/usr/share/common-licenses/GPL" is a link to the newest version; the text must name one.
          const v = /version (\d(?:\.\d)?)\b/i.exec(context);
          version = v ? lookup(VERSION_NAMES, v[1]!) : undefined;
        }
        // The text may name a version the family never had ("LGPL version 1"): then no id.
        const id = version ? spdxLicenseId(`${known.gnu.family}-${version}-${later ? 'or-later' : 'only'}`) : undefined;
        if (id) {
          expression = id;
          if (!later) confidence = 'weak';
        } else {
          expression = licenseRef(known.gnu.family);
          confidence = 'weak';
        }
      }
      if (!expression || seen.has(expression)) continue;
      seen.add(expression);
      info.licenses.push({
        expression,
        original: `/usr/share/common-licenses/${name}`,
        path,
        field: 'common-licenses reference',
        confidence,
      });
    }
  }
  info.expression = andAll(info.licenses.map((l) => l.expression));
  return info;
}

/** Parse a Debian copyright file of either kind. */
export function parseDebianCopyright(text: string, path: string): CopyrightInfo {
  const head = text.slice(0, 2000);
  // The Format field (once "Format-Specification") names the DEP-5 URL, old or current.
  if (/^Format(-Specification)?:\s*\S*(copyright-format|dep5|dep\/web\/deps)/im.test(head)) {
    return parseDep5(text, path);
  }
  return parseFreeFormCopyright(text, path);
}
