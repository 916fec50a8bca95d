/**
 * Declared licenses, CycloneDX -> SPDX. An SPDX id or expression is kept as
 * the SBOM wrote it; a license named by a string SPDX does not list becomes a
 * `LicenseRef-`. Every `LicenseRef-` used is declared in
 * `hasExtractedLicensingInfos` with the text the image carried for it.
 *
 * One LicenseRef name can stand for different texts in different packages
 * (Debian's `public-domain` or `permissive` paragraphs differ from package to
 * package), but an SPDX document declares each id once. Where the packages of
 * an image disagree, each text gets its own id: the name plus a digest of the
 * text (`LicenseRef-permissive-1a2b3c4d`), and the extracted info names the
 * original.
 */
import { createHash } from 'node:crypto';
import type { SbomComponent } from '../osl/sbom.js';
import { idSafe } from './ids.js';
import type { SpdxExtractedLicense } from './types.js';

const LICENSE_REF = /LicenseRef-[A-Za-z0-9.-]+/g;
const TEXT_SEPARATOR = '\n\n--------\n\n';

/** The component's declared licenses as one SPDX expression, or undefined when it has none. */
export function declaredExpression(c: SbomComponent): string | undefined {
  const parts = c.licenses.map((l) =>
    l.kind === 'id' ? l.id : l.kind === 'expression' ? l.expression : `LicenseRef-${idSafe(l.name)}`,
  );
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return parts.map((p) => (/\s(OR|AND|WITH)\s/i.test(p) ? `(${p})` : p)).join(' AND ');
}

/** The text the component carried for `ref`: its distinct texts for it, joined; '' when it has none. */
function textFor(c: SbomComponent, ref: string): string {
  const named = c.licenses.find((l) => l.kind === 'name' && `LicenseRef-${idSafe(l.name)}` === ref);
  const texts = c.licenseTexts
    .filter((t) => t.textId === ref || (named?.kind === 'name' && t.idOrName === named.name))
    .map((t) => t.text);
  return [...new Set(texts)].sort().join(TEXT_SEPARATOR);
}

interface Use {
  component: string;
  text: string;
}

/** Collects the LicenseRefs of every component, then names each (ref, text) once. */
export class LicenseRefs {
  private readonly uses = new Map<string, Use[]>();
  private renamed: Map<string, Map<string, string>> | undefined;

  /** Records the LicenseRefs `expression` (the component's declared licenses) uses. */
  add(c: SbomComponent, expression: string): void {
    for (const ref of new Set(expression.match(LICENSE_REF) ?? [])) {
      const list = this.uses.get(ref) ?? [];
      list.push({ component: c.ref, text: textFor(c, ref) });
      this.uses.set(ref, list);
    }
  }

  /** Ids per (ref, text): the ref itself where all uses agree, else ref + digest of the text. */
  private names(): Map<string, Map<string, string>> {
    if (this.renamed) return this.renamed;
    const out = new Map<string, Map<string, string>>();
    for (const [ref, uses] of this.uses) {
      const texts = [...new Set(uses.map((u) => u.text))].sort();
      const byText = new Map<string, string>();
      for (const t of texts)
        byText.set(t, texts.length === 1 ? ref : `${ref}-${createHash('sha256').update(t).digest('hex').slice(0, 8)}`);
      out.set(ref, byText);
    }
    return (this.renamed = out);
  }

  /** `expression` of component `c` with its LicenseRefs under their document ids. */
  rename(c: SbomComponent, expression: string): string {
    const names = this.names();
    return expression.replace(LICENSE_REF, (ref) => names.get(ref)?.get(textFor(c, ref)) ?? ref);
  }

  /** `hasExtractedLicensingInfos`, sorted by id. */
  extracted(): SpdxExtractedLicense[] {
    const out: SpdxExtractedLicense[] = [];
    for (const [ref, byText] of this.names()) {
      const name = ref.slice('LicenseRef-'.length);
      for (const [text, id] of byText) {
        const users = this.uses
          .get(ref)!
          .filter((u) => u.text === text)
          .map((u) => u.component);
        const notes: string[] = [];
        if (id !== ref)
          notes.push(`${ref} with the text these packages carry; the image holds ${byText.size} texts for it`);
        if (text === '')
          notes.push(
            'the image holds no text for this license: the extracted text is the name the package metadata gives',
          );
        notes.push(`declared by ${users.length === 1 ? users[0] : `${users.length} packages`}`);
        out.push({ licenseId: id, name, extractedText: text || name, comment: notes.join('; ') });
      }
    }
    return out.sort((a, b) => (a.licenseId < b.licenseId ? -1 : a.licenseId > b.licenseId ? 1 : 0));
  }
}
