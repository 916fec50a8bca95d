/** Cataloger path globs: what each form matches, and the literal-suffix test that runs before the expression. */
import { describe, expect, it } from 'vitest';
import { compileGlobs, globToRegExp, literalSuffix } from '../../src/track/catalogers/glob.js';
import { allCatalogers } from '../../src/track/catalogers/index.js';

const PATHS = [
  '/var/lib/dpkg/status',
  '/var/lib/dpkg/status-old',
  '/var/lib/dpkg/status.d/base',
  '/var/lib/dpkg/status.d/base/x',
  '/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec',
  '/specifications/a.gemspec',
  '/usr/lib/ruby/specifications/sub/a.gemspec',
  '/app/node_modules/left-pad/package.json',
  '/app/node_modules/@types/node/package.json',
  '/app/node_modules/left-pad/lib/package.json',
  '/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA',
  '/usr/lib/python3/site-packages/foo.egg-info',
  '/usr/lib/python3/site-packages/foo.egg-info/PKG-INFO',
  '/lib/apk/db/installed',
  '/var/lib/rpm/Packages',
  '/usr/lib/sysimage/rpm/rpmdb.sqlite',
  '/usr/bin/jq',
  '/',
];

describe('cataloger globs', () => {
  it('match what a regular expression of the glob alone matches (the suffix test only skips work)', () => {
    for (const c of allCatalogers) {
      const matcher = compileGlobs(c.globs);
      const res = c.globs.map(globToRegExp);
      for (const p of PATHS) expect(matcher(p), `${c.name} ${p}`).toBe(res.some((r) => r.test(p)));
    }
  });

  it.each([
    ['/var/lib/dpkg/status', '/var/lib/dpkg/status', true],
    ['/var/lib/dpkg/status', '/var/lib/dpkg/status-old', false],
    ['/var/lib/dpkg/status.d/*', '/var/lib/dpkg/status.d/base', true],
    ['/var/lib/dpkg/status.d/*', '/var/lib/dpkg/status.d/base/x', false],
    ['/**/specifications/*.gemspec', '/specifications/a.gemspec', true],
    ['/**/specifications/*.gemspec', '/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec', true],
    ['/**/specifications/*.gemspec', '/usr/lib/ruby/specifications/sub/a.gemspec', false],
    ['/**/node_modules/@*/*/package.json', '/app/node_modules/@types/node/package.json', true],
    ['/**/{site-packages,dist-packages}/*.egg-info', '/usr/lib/python3/site-packages/foo.egg-info', true],
    ['/**/{site-packages,dist-packages}/*.egg-info', '/usr/lib/python3/other/foo.egg-info', false],
    ['/x/[!a]c', '/x/bc', true],
    ['/x/[!a]c', '/x/ac', false],
    ['/x/?', '/x/y', true],
    ['/x/?', '/x/yy', false],
  ])('%s against %s: %s', (glob, p, matches) => {
    expect(compileGlobs([glob])(p)).toBe(matches);
  });

  it.each([
    ['/**/specifications/*.gemspec', '.gemspec'],
    ['/var/lib/dpkg/status', '/var/lib/dpkg/status'],
    ['/var/lib/dpkg/status.d/*', ''],
    ['/**', ''],
    ['/a/b{c,d}', ''],
    ['/x/[ab]c', 'c'],
    ['/**/node_modules/@*/*/package.json', '/package.json'],
  ])('the literal suffix of %s is %j', (glob, suffix) => {
    expect(literalSuffix(glob)).toBe(suffix);
  });
});
