/** SPDX test helpers: the official 2.3 JSON schema (from ../shared) and conversions of SBOM files. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { loadSbom, type Sbom } from '../../src/osl/sbom.js';
import { locateSources } from '../../src/sources/locate.js';
import type { MirrorConfig } from '../../src/sources/debian.js';
import { cycloneDxToSpdx, type ImageFile, type SpdxDocument } from '../../src/spdx/index.js';
import { conformanceDir } from '../helpers/shared.js';

export const MIRROR: MirrorConfig = {
  main: 'http://deb.debian.org/debian',
  security: 'http://deb.debian.org/debian-security',
  components: ['main'],
  from: 'option',
};

let validator: ValidateFunction | undefined;

/** Schema errors of `doc` against spdx-schema-2-3.json; [] when it validates. */
export function schemaErrors(doc: unknown): unknown[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(path.join(conformanceDir, 'spdx', 'spdx-schema-2-3.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
    validator = ajv.compile(schema);
  }
  return validator(doc) ? [] : (validator.errors ?? []).slice(0, 10);
}

/** Files of a made-up image: each path's content is its own name, except symlinks. */
export function fakeImage(symlinks: readonly string[] = []): (p: string) => ImageFile {
  return (p) => {
    if (symlinks.includes(p)) return { kind: 'symlink' };
    const data = Buffer.from(`content of ${p}\n`);
    return {
      kind: 'file',
      sha1: createHash('sha1').update(data).digest('hex'),
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  };
}

export function convert(sbom: Sbom, files?: (p: string) => ImageFile): SpdxDocument {
  return cycloneDxToSpdx(sbom, {
    sources: locateSources(sbom, { mirror: MIRROR, includeBuild: true }),
    ...(files ? { files } : {}),
    tool: { name: 'scannable', version: '0.1.0' },
  });
}

export function convertFile(file: string, files?: (p: string) => ImageFile): { sbom: Sbom; doc: SpdxDocument } {
  const sbom = loadSbom(file);
  return { sbom, doc: convert(sbom, files) };
}
