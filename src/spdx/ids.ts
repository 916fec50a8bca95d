/**
 * SPDX identifiers (`SPDXRef-[A-Za-z0-9.-]+`) derived from what an element
 * is, so the same SBOM gives the same ids: a readable part from its name and
 * a digest of its key. Two keys that still meet get a longer digest.
 */
import { createHash } from 'node:crypto';

/** The characters an SPDX id or LicenseRef may hold; anything else becomes `-`. */
export function idSafe(s: string): string {
  return (
    s
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'x'
  );
}

export class SpdxIds {
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Set<string>();

  /** The id of `key` (made on first use): `SPDXRef-<kind>-<name>-<digest>`. */
  id(kind: string, key: string, name: string): string {
    const known = this.byKey.get(`${kind}\0${key}`);
    if (known) return known;
    const digest = createHash('sha256').update(key).digest('hex');
    for (let n = 8; n <= digest.length; n += 8) {
      const id = `SPDXRef-${kind}-${idSafe(name)}-${digest.slice(0, n)}`;
      if (this.taken.has(id)) continue;
      this.taken.add(id);
      this.byKey.set(`${kind}\0${key}`, id);
      return id;
    }
    throw new Error(`internal: no free SPDX id for ${kind} ${key}`);
  }

  /** A fixed id (the document, the image). */
  reserve(id: string): string {
    if (this.taken.has(id)) throw new Error(`internal: SPDX id ${id} given twice`);
    this.taken.add(id);
    return id;
  }
}
