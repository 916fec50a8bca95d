import { describe, expect, it } from 'vitest';
import { cleanPath, IgnoreMatcher, readIgnorePatterns } from '../../src/lint/dockerignore.js';
import { formatAllPlatform, parsePlatformSpecifier } from '../../src/lint/platforms.js';

describe('.dockerignore (moby/patternmatcher)', () => {
  it('reads patterns as ignorefile.ReadAll does', () => {
    expect(readIgnorePatterns('\ufeff# comment\n\n  /dist/  \n!./dist/keep\nsrc//a/../b\n*.log\r\n')).toEqual([
      'dist',
      '!dist/keep',
      'src/b',
      '*.log',
    ]);
  });
  it('cleans paths as Go path.Clean', () => {
    expect(['', '.', 'a/./b/', '/../a', 'a/../../b', '//x//'].map(cleanPath)).toEqual([
      '.',
      '.',
      'a/b',
      '/a',
      '../b',
      '/x',
    ]);
  });
  it('matches files and their parent directories, with exceptions in order', () => {
    const m = new IgnoreMatcher([
      'dist',
      '*.log',
      '**/tmp',
      'docs/**',
      '!docs/README.md',
      'a?c',
      'x/[ab]/y',
      'lit.eral+(1)',
    ]);
    const cases: Array<[string, boolean]> = [
      ['dist', true],
      ['dist/app.js', true],
      ['src/dist', false],
      ['app.log', true],
      ['logs/app.log', false],
      ['tmp', true],
      ['a/b/tmp/c', true],
      ['docs/x/y', true],
      ['docs/README.md', false],
      ['abc', true],
      ['abbc', false],
      ['x/a/y', true],
      ['x/c/y', false],
      ['lit.eral+(1)', true],
      ['litXeral+(1)', false],
    ];
    for (const [p, expected] of cases) expect([p, m.matchesOrParentMatches(p)]).toEqual([p, expected]);
  });
  it('a pattern that is not valid stays unmatched instead of failing', () => {
    expect(new IgnoreMatcher(['[']).matchesOrParentMatches('[')).toBe(false);
  });
});

describe('platform specifiers (containerd/platforms)', () => {
  const host = { os: 'linux', architecture: 'amd64' };
  it('parses and normalises', () => {
    expect(parsePlatformSpecifier('linux/amd64', host)).toEqual({
      os: 'linux',
      architecture: 'amd64',
      variant: '',
      osVersion: '',
    });
    expect(parsePlatformSpecifier('Linux/aarch64', host)).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: '',
      osVersion: '',
    });
    expect(parsePlatformSpecifier('linux/arm64', host)!.variant).toBe('');
    expect(parsePlatformSpecifier('linux/arm64/v8', host)!.variant).toBe('v8');
    expect(parsePlatformSpecifier('linux/arm', host)!.variant).toBe('');
    expect(parsePlatformSpecifier('linux/arm/v6', host)!.variant).toBe('v6');
    expect(parsePlatformSpecifier('windows(10.0.17763)/amd64', host)).toEqual({
      os: 'windows',
      architecture: 'amd64',
      variant: '',
      osVersion: '10.0.17763',
    });
    expect(parsePlatformSpecifier('windows', host)).toEqual({
      os: 'windows',
      architecture: 'amd64',
      variant: '',
      osVersion: '',
    });
    expect(parsePlatformSpecifier('arm64', host)).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: '',
      osVersion: '',
    });
    expect(parsePlatformSpecifier('macos/x86_64', host)!.os).toBe('darwin');
  });
  it('rejects what containerd rejects', () => {
    for (const s of ['linux/', 'linux/*', 'foo', 'a/b/c/d', 'linux/am d64', ''])
      expect([s, parsePlatformSpecifier(s, host)]).toEqual([s, undefined]);
  });
  it('formats as FormatAll', () => {
    expect(formatAllPlatform({ os: 'linux', architecture: 'aarch64' })).toBe('linux/arm64');
    expect(formatAllPlatform({ os: 'linux', architecture: 'arm' })).toBe('linux/arm/v7');
    expect(formatAllPlatform({ os: 'windows', architecture: 'amd64', osVersion: '10.0' })).toBe('windows(10.0)/amd64');
    expect(formatAllPlatform({ os: '', architecture: 'amd64' })).toBe('unknown');
  });
});
