import { describe, expect, it } from 'vitest';
import { apkPurl, debPurl, formatPurl, gemPurl, golangPurl, npmPurl, pypiPurl, rpmPurl } from '../../src/track/purl.js';

describe('purl', () => {
  it('matches the purl specification examples', () => {
    expect(debPurl({ vendor: 'debian', name: 'curl', version: '7.50.3-1', arch: 'i386', distro: 'jessie' })).toBe(
      'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie',
    );
    expect(debPurl({ vendor: 'debian', name: 'attr', version: '1:2.4.47-2+b1', arch: 'amd64' })).toBe(
      'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64',
    );
    expect(
      rpmPurl({
        vendor: 'fedora',
        name: 'centerim',
        version: '4.22.10',
        release: '1.el6',
        epoch: 1,
        arch: 'i686',
        distro: 'fedora-25',
      }),
    ).toBe('pkg:rpm/fedora/centerim@4.22.10-1.el6?arch=i686&distro=fedora-25&epoch=1');
    expect(npmPurl('@angular/animation', '12.3.1')).toBe('pkg:npm/%40angular/animation@12.3.1');
    expect(apkPurl({ vendor: 'alpine', name: 'curl', version: '7.83.0-r0', arch: 'x86' })).toBe(
      'pkg:apk/alpine/curl@7.83.0-r0?arch=x86',
    );
    expect(pypiPurl('Django_Allauth', '12.23')).toBe('pkg:pypi/django-allauth@12.23');
    expect(gemPurl('jruby-launcher', '1.1.2', 'java')).toBe('pkg:gem/jruby-launcher@1.1.2?platform=java');
    expect(golangPurl('github.com/gorilla/context', '234fd47e07d1004f0aed9c')).toBe(
      'pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c',
    );
  });
  it('encodes everything outside the allowed set, sorts qualifiers, drops empty ones', () => {
    expect(
      debPurl({ vendor: 'Debian', name: 'libstdc++6', version: '12.2.0-14', arch: 'amd64', distro: 'debian-12' }),
    ).toBe('pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12');
    expect(formatPurl({ type: 'generic', name: 'a b/c', qualifiers: { z: '1', a: '', m: 'x y' } })).toBe(
      'pkg:generic/a%20b%2Fc?m=x%20y&z=1',
    );
    expect(golangPurl('github.com/Azure/go-autorest', 'v14.2.0+incompatible')).toBe(
      'pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible',
    );
    expect(gemPurl('rack', '2.2.4', 'ruby')).toBe('pkg:gem/rack@2.2.4');
  });
});
