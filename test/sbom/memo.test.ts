/**
 * The SBOM memo: a rebuild served from the cache gets, byte for byte, the
 * document rendering its provenance would give, timestamp included; anything
 * else is a miss.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { provenanceToCycloneDX } from '../../src/sbom/cyclonedx.js';
import { keepSbom, recallSbom, sbomKey, servedFromCache } from '../../src/sbom/memo.js';
import type { Provenance } from '../../src/track/provenance.js';
import { sampleProvenance } from '../helpers/provenance.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-sbom-memo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const render = (p: Provenance, options: { imageRef?: string } = {}) =>
  JSON.stringify(provenanceToCycloneDX(p, options), null, 2) + '\n';

describe('SBOM memo', () => {
  it('gives back what rendering gives, with the new build time', () => {
    const first = sampleProvenance();
    const key = sbomKey(first, {});
    keepSbom(dir, key, render(first));
    const later: Provenance = { ...first, created: '2031-05-06T07:08:09.123Z' };
    expect(sbomKey(later, {})).toBe(key);
    const recalled = recallSbom(dir, key, later.created);
    expect(recalled).toBe(render(later));
    expect(recalled).not.toBe(render(first));
  });

  it('leaves out of the key only what the document does not show: the build time, and whether steps were cached and how long they took', () => {
    const p = sampleProvenance();
    const other: Provenance = {
      ...p,
      created: '2031-01-01T00:00:00.000Z',
      steps: p.steps.map((s) => ({ ...s, cached: !s.cached, durationMs: s.durationMs + 1234 })),
    };
    expect(sbomKey(other, {})).toBe(sbomKey(p, {}));
    // The same document, but for the timestamp.
    const strip = (json: string) => json.replace(/"timestamp": "[^"]*"/, '"timestamp": ""');
    expect(strip(render(other))).toBe(strip(render(p)));
  });

  it('keys on everything else, and on the options', () => {
    const p = sampleProvenance();
    const key = sbomKey(p, {});
    expect(sbomKey(p, { imageRef: 'x:1' })).not.toBe(key);
    const changed = structuredClone(p);
    changed.files[0]!.sha256 = 'f'.repeat(64);
    expect(sbomKey(changed, {})).not.toBe(key);
    const renamed = structuredClone(p);
    renamed.image.tags = ['other:tag'];
    expect(sbomKey(renamed, {})).not.toBe(key);
  });

  it('with a digest of what was tracked, keys on it instead of the files, packages and problems, and on everything else as before', () => {
    const p = sampleProvenance();
    const key = sbomKey(p, {}, 'tracked-1');
    expect(key).not.toBe(sbomKey(p, {}));
    expect(sbomKey(p, {}, 'tracked-2')).not.toBe(key);
    // The build derives these from what the digest covers: they are not read.
    const files = structuredClone(p);
    files.files[0]!.sha256 = 'f'.repeat(64);
    files.packages.pop();
    expect(sbomKey(files, {}, 'tracked-1')).toBe(key);
    // What the digest does not cover still keys.
    const renamed = structuredClone(p);
    renamed.image.tags = ['other:tag'];
    expect(sbomKey(renamed, {}, 'tracked-1')).not.toBe(key);
    const step = structuredClone(p);
    step.steps[0]!.predicted = 'unscannable';
    expect(sbomKey(step, {}, 'tracked-1')).not.toBe(key);
    expect(sbomKey({ ...p, created: '2031-01-01T00:00:00.000Z' }, {}, 'tracked-1')).toBe(key);
  });

  it('misses on anything that does not read back as written, and keeps only the last few', () => {
    expect(recallSbom(dir, 'no-such-key', '2030-01-01T00:00:00.000Z')).toBeUndefined();
    writeFileSync(path.join(dir, 'bad.json'), '{"bomFormat": "CycloneDX"}\n');
    expect(recallSbom(dir, 'bad', '2030-01-01T00:00:00.000Z')).toBeUndefined();
    const p = sampleProvenance();
    keepSbom(dir, 'cut', render(p).slice(0, 4000));
    expect(recallSbom(dir, 'cut', p.created)).toBeUndefined();
    const own = mkdtempSync(path.join(os.tmpdir(), 'scannable-sbom-memo-keep-'));
    try {
      for (let i = 0; i < 12; i++) keepSbom(own, `k${i}`, render(p));
      expect(readdirSync(own).length).toBe(8);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('is asked only when every step came from the cache', () => {
    const p = sampleProvenance();
    const cached: Provenance = { ...p, steps: p.steps.map((s) => ({ ...s, cached: s.op !== 'config' })) };
    expect(servedFromCache(cached)).toBe(true);
    const one = structuredClone(cached);
    one.steps.find((s) => s.op !== 'config')!.cached = false;
    expect(servedFromCache(one)).toBe(false);
  });
});
