import { isGitSource, splitGitFragment } from '../../../lower/index.js';
import type { Report } from '../../types.js';
import { scannableRule, shownWord } from './define.js';
import { runViews } from './runs.js';
import { sourceRange } from './sources.js';

const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
/** A repository reached over the network (scheme, or scp-like `user@host:path`), not a path in the image. */
const REMOTE = /^([a-z][a-z0-9+.-]*:\/\/|[^/\s]+@[^/\s]+:)/i;

export const unpinnedGitSource = scannableRule({
  id: 'SCN107',
  severity: 'warning',
  title: '`git clone` / `ADD <git url>` without a pinned commit',
  description:
    'A clone of a remote repository that is not checked out at a full commit id (40 or 64 hex digits), by `git clone --branch`, a ' +
    'later `git checkout`/`git reset --hard`, or `ADD <url>#<commit>` (or `ADD --checksum`). A branch or tag can move: what was ' +
    'built cannot be named, so its sources cannot be fetched again for a licence scan.',
  check(ctx) {
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      for (const ins of stage.instructions) {
        if (ins.kind !== 'add' || ins.checksum !== undefined) continue;
        ins.sources.forEach((src, i) => {
          if (!isGitSource(src.value)) return;
          const g = splitGitFragment(src.value);
          if (g.ref !== undefined && COMMIT.test(g.ref)) return;
          out.push({
            range: sourceRange(ins, i),
            message: `ADD ${src.value} is not pinned to a commit${g.ref ? ` (${g.ref} can move)` : ''}: add #<full commit id> to the URL, or --checksum=<commit id>`,
          });
        });
      }
    }
    for (const v of runViews(ctx)) {
      for (const it of v.intents) {
        if (it.kind !== 'Clone' || it.pinned) continue;
        const url = it.url.value;
        if (url !== undefined && !REMOTE.test(url)) continue;
        const ref = it.ref ? ` (${shownWord(it.ref)} can move)` : ' (it takes the default branch)';
        out.push({
          range: v.locate(it.range),
          message: `git clone of ${shownWord(it.url)} is not pinned to a commit${ref}: check out a full commit id after cloning (git checkout <commit>)`,
        });
      }
    }
    return out;
  },
});
