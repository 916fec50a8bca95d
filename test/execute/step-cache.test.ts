/** The step cache's files: records by key, tracker results kept to the most recently used few. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEEP_TRACKS, StepCache } from '../../src/execute/build/cache.js';
import type { TrackResult } from '../../src/track/tracker.js';

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

const result = (n: number): TrackResult => ({ files: [], packages: [], buildPackages: [], problems: [{ path: `/p${n}`, reason: 'r' }], observed: new Map([[`s${n}`, { files: n, unattributed: 0 }]]) });

describe('StepCache layer hashes', () => {
  it('reads back the hashes kept for a diff id, cache enabled or not, and nothing for another id', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    tmp.push(dir);
    const id = 'sha256:' + 'a'.repeat(64);
    const known = new Map([['/bin/x', { size: 3, mtime: 1700000000, sha256: 'b'.repeat(64) }]]);
    new StepCache(dir, false).putLayerHashes(id, known);
    expect(new StepCache(dir, false).getLayerHashes(id)).toEqual(known);
    expect(new StepCache(dir, true).getLayerHashes(id)).toEqual(known);
    expect(new StepCache(dir, true).getLayerHashes('sha256:' + 'c'.repeat(64))).toBeUndefined();
    // A record under another id's name is not taken.
    writeFileSync(path.join(dir, 'layers', 'c'.repeat(64) + '.json'), JSON.stringify({ version: 1, diffId: id, files: [] }));
    expect(new StepCache(dir, true).getLayerHashes('sha256:' + 'c'.repeat(64))).toBeUndefined();
  });
});

describe('StepCache tracker results', () => {
  it('reads back what it kept, and keeps only the most recently used', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    tmp.push(dir);
    const cache = new StepCache(dir, true);
    const tracks = path.join(dir, 'tracks');
    const age = (key: string, secondsAgo: number) => {
      const t = new Date(Date.now() - secondsAgo * 1000);
      utimesSync(path.join(tracks, `${key}.json`), t, t);
    };
    for (let i = 0; i < KEEP_TRACKS; i++) {
      cache.putTrack(`k${i}`, result(i));
      age(`k${i}`, 1000 - i);
    }
    expect(cache.getTrack('k3')).toEqual(result(3));
    // Two more: the two least recently used go, not k0..k1 blindly: k3 was just read.
    age('k3', 2000);
    expect(cache.getTrack('k3')?.observed.get('s3')).toEqual({ files: 3, unattributed: 0 });
    cache.putTrack('new1', result(100));
    cache.putTrack('new2', result(101));
    const kept = readdirSync(tracks).filter((f) => f.endsWith('.json'));
    expect(kept).toHaveLength(KEEP_TRACKS);
    expect(kept).not.toContain('k0.json');
    expect(kept).not.toContain('k1.json');
    expect(kept).toContain('k3.json');
    expect(cache.getTrack('k0')).toBeUndefined();
    expect(cache.getTrack('new2')).toEqual(result(101));
  });

  it('removes, once, the results earlier versions left among the step records, and keeps those records', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    tmp.push(dir);
    mkdirSync(path.join(dir, 'ab'));
    writeFileSync(path.join(dir, 'ab', 'track-ab12.json'), '{}');
    const cache = new StepCache(dir, true);
    cache.put('ab34', { snapshot: 'sha256:' + '1'.repeat(64), changes: [], durationMs: 1 });
    cache.putTrack('k', result(1));
    expect(readdirSync(path.join(dir, 'ab'))).toEqual(['ab34.json']);
    expect(cache.get('ab34')?.snapshot).toBe('sha256:' + '1'.repeat(64));
  });

  it('reads nothing when disabled (--no-cache), but keeps what the build made for the next one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    tmp.push(dir);
    new StepCache(dir, false).putTrack('k', result(1));
    expect(new StepCache(dir, false).getTrack('k')).toBeUndefined();
    expect(new StepCache(dir, true).getTrack('k')).toEqual(result(1));
  });
});
