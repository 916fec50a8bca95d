import { isGitSource, isUrl } from '../../../lower/index.js';
import type { Report } from '../../types.js';
import { scannableRule } from './define.js';
import { sourceRange } from './sources.js';

export const addUrlWithoutChecksum = scannableRule({
  id: 'SCN103',
  severity: 'warning',
  title: 'ADD <url> without --checksum',
  description:
    'BuildKit verifies an `ADD <url>` download only when `--checksum=sha256:<digest>` is given. Without it the file in the image is ' +
    "whatever the server sent at build time, and its origin cannot be stated beyond the URL. Git URLs are SCN107's.",
  check(ctx) {
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      for (const ins of stage.instructions) {
        if (ins.kind !== 'add' || ins.checksum !== undefined) continue;
        ins.sources.forEach((src, i) => {
          if (!isUrl(src.value) || isGitSource(src.value)) return;
          out.push({
            range: sourceRange(ins, i),
            message: `ADD ${src.value} has no --checksum, so the download is not verified: add --checksum=sha256:<digest of the file>`,
          });
        });
      }
    }
    return out;
  },
});
