import type { Report } from '../../types.js';
import { scannableRule, shownWord } from './define.js';
import { history } from './history.js';

export const packageFromLocalFile = scannableRule({
  id: 'SCN106',
  severity: 'warning',
  title: 'Package installed from a local file of unknown origin',
  description:
    'A package manager installs a package file (`dpkg -i x.deb`, `rpm -i x.rpm`, `apk add --allow-untrusted x.apk`, `pip install ./x.whl`, ' +
    '`npm install ./x.tgz`) rather than a package from its repository. The installed files are recorded under that package, but where ' +
    'the file came from is not: a warning when nothing in the Dockerfile says (copied from another stage or image, downloaded without ' +
    'verification, or not put there by the Dockerfile at all); info when it was copied from the build context or downloaded and ' +
    'verified, whose origin is then recorded.',
  check(ctx) {
    const out: Report[] = [];
    for (const p of history(ctx).packageFiles) {
      const file = shownWord(p.pkg.word);
      const range = p.view.locate(p.pkg.word.range);
      const tool = p.install.tool;
      const o = p.origin;
      if (o?.kind === 'context') {
        out.push({
          range,
          severity: 'info',
          message: `${tool} installs ${file}, a package file from the build context (line ${o.line}): its origin is recorded as that context file only; install it from a package repository to record the package's own origin`,
        });
      } else if (o?.kind === 'download' && o.verified) {
        out.push({
          range,
          severity: 'info',
          message: `${tool} installs ${file}, downloaded from ${o.url} and verified (line ${o.line}): its origin is recorded as that URL; a package repository would also record the package's own origin`,
        });
      } else if (o?.kind === 'download') {
        out.push({
          range,
          message: `${tool} installs ${file}, downloaded from ${o.url} (line ${o.line}) without verification: verify the download (sha256sum -c, gpg --verify) or install the package from its repository`,
        });
      } else {
        const where =
          o?.kind === 'copy'
            ? `${o.how} from ${o.from} (line ${o.line}), where its origin is not known`
            : 'a package file of unknown origin';
        out.push({
          range,
          message: `${tool} installs ${file}, ${where}: install it from a package repository, or COPY it from the build context or download and verify it, so its origin is recorded`,
        });
      }
    }
    return out;
  },
});
