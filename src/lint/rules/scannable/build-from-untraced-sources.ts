import type { Report } from '../../types.js';
import { scannableRule } from './define.js';
import { history } from './history.js';

export const buildFromUntracedSources = scannableRule({
  id: 'SCN104',
  severity: 'warning',
  title: 'Build from sources that did not come from the context or a verified download',
  description:
    'A build (`./configure`, `make`, `cmake`, `go build`, `cargo build`, `mvn`, `gcc`...) in a directory where the stage unpacked an ' +
    'archive it downloaded without verification, or cloned a repository without pinning a commit, in the same or an earlier RUN ' +
    '(or an `ADD` without `--checksum` / pinned commit). The binaries it produces are traced to those sources, whose identity nobody ' +
    'checked. Builds from files copied from the build context, or from verified downloads and pinned clones, are fine.',
  check(ctx) {
    const out: Report[] = [];
    for (const b of history(ctx).builds) {
      out.push({
        range: b.view.locate(b.build.range),
        message:
          `${b.build.tool} builds from sources that nobody verified: ${b.cause.what}. ` +
          (b.cause.fix === 'pin'
            ? 'Pin the commit (a full commit id) before building, or COPY the sources from the build context'
            : 'Verify the download (sha256sum -c, gpg --verify) before unpacking it, or COPY the sources from the build context'),
      });
    }
    return out;
  },
});
