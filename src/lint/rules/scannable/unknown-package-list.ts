import type { Report } from '../../types.js';
import { scannableRule, shownWord } from './define.js';
import { nameKnown, packageSource } from './packages.js';
import { runViews } from './runs.js';

export const unknownPackageList = scannableRule({
  id: 'SCN109',
  severity: 'info',
  title: 'Package list not statically known',
  description:
    'A package manager installs packages that the Dockerfile does not name: a list file (`pip install -r requirements.txt`, ' +
    '`xargs apt-get install < packages.txt`), arguments read at run time (`xargs`, `find -exec`), or names from a variable or command ' +
    'whose value is not known (`apt-get install $(cat pkgs.txt)`, `apk add $PKGS` with PKGS unset). The build still records what was ' +
    'installed, but the plan cannot say beforehand. Installing a project from its own manifest or lock file (`npm ci`, `pip install .`, ' +
    "`bundle install`, `go mod download`) is not reported: that is the ecosystem's own record of the list.",
  check(ctx) {
    const out: Report[] = [];
    for (const v of runViews(ctx)) {
      for (const it of v.intents) {
        if (it.kind !== 'PackageInstall' || it.listKnown) continue;
        const unknown = it.packages.filter((p) => packageSource(p) === 'registry' && !nameKnown(p));
        const files = (it.from ?? []).flatMap((f) => (f.kind === 'file' ? [f.path] : []));
        const atRunTime = (it.from ?? []).some((f) => f.kind === 'input');
        const why: string[] = [];
        if (unknown.length > 0)
          why.push(
            `${unknown.map((p) => shownWord(p.word)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not known statically`,
          );
        if (files.length > 0) why.push(`read from ${files.map(shownWord).join(', ')}`);
        if (atRunTime) why.push('given at run time');
        if (why.length === 0) continue;
        const first = unknown[0]?.word.range ?? files[0]?.range ?? it.range;
        out.push({
          range: v.locate(first),
          message: `The packages ${it.tool} installs are not statically known (${why.join('; ')}): name them in the Dockerfile so the step can be reviewed before it runs`,
        });
      }
    }
    return out;
  },
});
