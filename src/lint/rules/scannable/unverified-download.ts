import { UNKNOWN_PIECE } from '../../../shell/index.js';
import type { Report } from '../../types.js';
import { scannableRule, shownWord } from './define.js';
import { runViews } from './runs.js';

export const unverifiedDownload = scannableRule({
  id: 'SCN102',
  severity: 'warning',
  title: 'Download not verified by a checksum or signature in the same RUN',
  description:
    'A file downloaded with curl, wget or `git archive` in a RUN is checked in that RUN by `sha256sum -c` (or another sha*sum/md5sum ' +
    '`-c`), `gpg --verify`/`gpgv`, `openssl dgst`, or a digest computed and compared in the script. Without a check, the bytes in the ' +
    'image are whatever the server sent that day. Downloads streamed into an extractor (`curl ... | tar -x`) cannot be checked at all. ' +
    'Checksum lists, signatures and keys that the RUN checks with, values read into a variable, and keys for a keyring are not reported.',
  check(ctx) {
    const out: Report[] = [];
    for (const v of runViews(ctx)) {
      for (const d of v.downloads) {
        const url = shownWord(d.intent.url);
        if (d.use.kind === 'stream') {
          out.push({
            range: v.locate(d.intent.range),
            message: `${url} is piped into ${d.use.tool} without verification: download it to a file, check it (sha256sum -c), then unpack it`,
          });
        } else if (d.use.kind === 'file' && !d.verified && !d.material) {
          const f = d.use.files[0]!;
          // A name with nothing known (`curl -O "$URL"`) is not worth showing.
          const named =
            !f.unnamed &&
            (f.word.resolved || f.word.partial === undefined || f.word.partial.replaceAll(UNKNOWN_PIECE, '') !== '');
          const file = named ? shownWord(f.word) : 'FILE';
          out.push({
            range: v.locate(d.intent.range),
            message: `${url} is downloaded to ${named ? file : 'a file'} but never verified in this RUN: check it with \`echo "<sha256>  ${file}" | sha256sum -c -\` or a signature (gpg --verify)`,
          });
        }
      }
    }
    return out;
  },
});
