import type { Report } from '../../types.js';
import { scannableRule, shownWord } from './define.js';
import { runViews } from './runs.js';

export const downloadPipedToInterpreter = scannableRule({
  id: 'SCN101',
  severity: 'error',
  title: 'Downloaded code run by an interpreter (curl ... | sh)',
  description:
    'A download piped into a shell or another interpreter (`curl ... | sh`, `wget -O- ... | bash`, `... | python3 -`), or spliced into the ' +
    'program it runs (`sh -c "$(curl ...)"`, `bash <(curl ...)`, `eval "$(curl ...)"`), runs whatever the server sends at build time. ' +
    'Nothing records what ran, so the files it writes have no traceable origin.',
  check(ctx) {
    const out: Report[] = [];
    for (const v of runViews(ctx)) {
      for (const d of v.downloads) {
        if (d.use.kind !== 'interpreter') continue;
        out.push({
          range: v.locate(d.use.range),
          message:
            `${shownWord(d.intent.url)} is downloaded and run by ${d.use.name}: what runs is whatever the server sends. ` +
            'Download it to a file, verify it (sha256sum -c, gpg --verify), then run that file',
        });
      }
    }
    return out;
  },
});
