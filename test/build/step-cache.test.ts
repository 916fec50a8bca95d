/** The step cache's files: records by key, tracker results kept to the most recently used few. */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEEP_TRACKS, StepCache } from '../../src/build/cache.js';
import type { LayerRecord } from '../../src/snapshot/layer-dir.js';
import type { TrackResult } from '../../src/track/tracker.js';

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

const result = (n: number): TrackResult => ({
  files: [],
  packages: [],
  buildPackages: [],
  problems: [{ path: `/p${n}`, reason: 'r' }],
  observed: new Map([[`s${n}`, { files: n, unattributed: 0 }]]),
});

describe('StepCache layer records', () => {
  const record = (derived: Map<string, unknown>): LayerRecord => ({
    dir: '/var/lib/docker/overlay2/x/diff',
    stamp: '12:1700000000000',
    files: [{ path: '/bin/x', kind: 'file', mode: 0o755, uid: 0, gid: 0, size: 3, mtime: 1700000000 }],
    whiteouts: ['/gone'],
    opaqueDirs: [],
    hashes: [['/bin/x', 'b'.repeat(64)]],
    code: 'c'.repeat(64),
    derived,
  });

  it('reads back the record kept for a diff id, cache enabled or not, and nothing for another id', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    tmp.push(dir);
    const id = 'sha256:' + 'a'.repeat(64);
    // Parsed values as the catalogers make them: maps, and fields present but undefined.
    const derived = new Map<string, unknown>([
      [
        'deb822:1\0/var/lib/dpkg/status',
        {
          ok: true,
          value: {
            paragraphs: [{ fields: new Map([['package', { name: 'Package', first: 'x', rest: [] }]]), line: 1 }],
            problems: [],
          },
        },
      ],
      ['go\0/bin/x', { a: undefined }],
    ]);
    // Hashes kept by an earlier version (JSON) go when a record is written.
    mkdirSync(path.join(dir, 'layers'));
    writeFileSync(path.join(dir, 'layers', 'a'.repeat(64) + '.json'), '{}');
    new StepCache(dir, false).putLayerRecord(id, record(derived));
    expect(readdirSync(path.join(dir, 'layers'))).toEqual(['a'.repeat(64) + '.v8']);
    for (const enabled of [false, true]) {
      const back = new StepCache(dir, enabled).getLayerRecord(id)!;
      expect(back).toEqual(record(derived));
      expect('a' in (back.derived.get('go\0/bin/x') as object)).toBe(true);
    }
    expect(new StepCache(dir, true).getLayerRecord('sha256:' + 'c'.repeat(64))).toBeUndefined();
    // A record under another id's name is not taken; a damaged one is ignored.
    writeFileSync(
      path.join(dir, 'layers', 'c'.repeat(64) + '.v8'),
      readFileSync(path.join(dir, 'layers', 'a'.repeat(64) + '.v8')),
    );
    expect(new StepCache(dir, true).getLayerRecord('sha256:' + 'c'.repeat(64))).toBeUndefined();
    writeFileSync(path.join(dir, 'layers', 'a'.repeat(64) + '.v8'), 'not v8');
    expect(new StepCache(dir, true).getLayerRecord(id)).toBeUndefined();
  });

  it('keeps nothing for a record that cannot be cloned', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    tmp.push(dir);
    const id = 'sha256:' + 'd'.repeat(64);
    new StepCache(dir, true).putLayerRecord(id, record(new Map([['k', () => 1]])));
    expect(new StepCache(dir, true).getLayerRecord(id)).toBeUndefined();
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
      utimesSync(path.join(tracks, `${key}.jsonl`), t, t);
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
    const kept = readdirSync(tracks);
    expect(kept).toHaveLength(KEEP_TRACKS);
    expect(kept).not.toContain('k0.jsonl');
    expect(kept).not.toContain('k1.jsonl');
    expect(kept).toContain('k3.jsonl');
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

  it('parses files and packages when they are first read; a damaged file is a miss, damaged files and packages a clear error', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    tmp.push(dir);
    const cache = new StepCache(dir, true);
    const full: TrackResult = {
      ...result(7),
      files: [{ path: '/x', kind: 'file' } as never],
      packages: [{ purl: 'pkg:deb/debian/x@1' } as never],
    };
    cache.putTrack('k', full);
    const file = path.join(dir, 'tracks', 'k.jsonl');
    const [head, body] = readFileSync(file, 'utf8').split('\n');
    // The figures stand alone on the first line; the files come after them.
    expect(JSON.parse(head!)).not.toHaveProperty('files');
    expect(JSON.parse(body!).files).toEqual(full.files);
    expect(cache.getTrack('k')).toEqual(full);
    // Figures readable without the rest: the rest is damaged, and only reading it says so.
    writeFileSync(file, `${head}\n{"files": [`);
    const damaged = cache.getTrack('k')!;
    expect(damaged.observed.get('s7')).toEqual({ files: 7, unattributed: 0 });
    expect(() => damaged.files).toThrow(/tracks\/k\.jsonl cannot be read .*: remove it, or build with --no-cache/);
    // A file without the figures' line (cut short) is not taken at all.
    writeFileSync(file, '{"version": 1, "form');
    expect(cache.getTrack('k')).toBeUndefined();
    // Nor is the earlier layout (one JSON document, k.json), which the next result written removes.
    writeFileSync(path.join(dir, 'tracks', 'old.json'), JSON.stringify({ version: 1, result: full }));
    expect(cache.getTrack('old')).toBeUndefined();
    cache.putTrack('k', full);
    expect(readdirSync(path.join(dir, 'tracks'))).toEqual(['k.jsonl']);
  });

  it('reads nothing when disabled (--no-cache), but keeps what the build made for the next one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    tmp.push(dir);
    new StepCache(dir, false).putTrack('k', result(1));
    expect(new StepCache(dir, false).getTrack('k')).toBeUndefined();
    expect(new StepCache(dir, true).getTrack('k')).toEqual(result(1));
  });
});
