/**
 * removedByScript: the paths a RUN script's `rm` commands remove, as a test of
 * an image path (the builder then does not hash them while the RUN runs).
 * Valid/invalid table: [script, path, removed?].
 */
import { expect, it } from 'vitest';
import { analyzeScript, removedByScript, scopeOf } from '../../src/shell/index.js';

const CASES: Array<[string, string, boolean]> = [
  [
    'apt-get update && apt-get install -y jq && rm -rf /var/lib/apt/lists/*',
    '/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages',
    true,
  ],
  ['apt-get update && rm -rf /var/lib/apt/lists/*', '/var/lib/apt/lists/partial/x.xz', true],
  ['rm -rf /var/lib/apt/lists/*', '/var/lib/apt/lists', false],
  ['rm -rf /var/lib/apt/lists/*', '/var/lib/apt/listsx/a', false],
  ['rm -rf /var/lib/apt/lists/*', '/var/cache/apt/pkgcache.bin', false],
  ['rm -fr /tmp/build', '/tmp/build', true],
  ['rm -R /tmp/build', '/tmp/build/obj/a.o', true],
  ['rm --recursive --force /tmp/build', '/tmp/build/a', true],
  ['cd /tmp && rm -rf build', '/tmp/build/a', true],
  ['rm -rf build', '/src/build/a', true], // the RUN's workdir
  ['rm -f /etc/a.conf', '/etc/a.conf', true],
  ['rm -f /etc/a.conf', '/etc/a.conf/x', false], // not recursive
  ['rm -rf "$DIR"', '/opt/x', true], // DIR=/opt
  ['rm -rf "$UNSET_DIR"/*', '/opt/x', false],
  ['rm -rf /', '/etc/passwd', false],
  ['echo rm -rf /var/lib/apt/lists', '/var/lib/apt/lists/a', false],
  ['rm -rf /tmp/[ab]*', '/tmp/bx/1', true],
  ['rm -rf /tmp/[ab]*', '/tmp/cx/1', false],
];

it.each(CASES)('%s: %s removed is %s', (script, p, removed) => {
  const { commands } = analyzeScript(script, { variables: scopeOf({ DIR: '/opt', UNSET_DIR: null }), workdir: '/src' });
  expect(removedByScript(commands)(p)).toBe(removed);
});
