import type { Report } from '../../types.js';
import { scannableRule, shownWord } from './define.js';
import { runViews } from './runs.js';

const KEEP: Record<string, string> = {
  dpkg: 'remove only /var/lib/apt/lists/* and /var/cache/apt/*',
  apk: 'use apk add --no-cache, or remove only /var/cache/apk/*',
  rpm: 'remove only caches (dnf clean all, /var/cache/dnf, /var/cache/yum)',
};

export const packageDatabaseRemoved = scannableRule({
  id: 'SCN110',
  severity: 'error',
  title: 'Package manager database removed',
  description:
    '`rm` of the dpkg (`/var/lib/dpkg`), apk (`/lib/apk/db`, `/var/lib/apk`) or rpm (`/var/lib/rpm`, `/usr/lib/sysimage/rpm`) database, ' +
    'or a part of it. That database is how the installed files are tied to their packages, versions and licences: without it every ' +
    'file installed by the package manager becomes of unknown origin, for scannable and for every other scanner. Removing package ' +
    'lists and caches (`/var/lib/apt/lists`, `/var/cache/apk`) is fine.',
  check(ctx) {
    const out: Report[] = [];
    for (const v of runViews(ctx)) {
      for (const it of v.intents) {
        if (it.kind !== 'PackageDatabaseRemoval') continue;
        out.push({
          range: v.locate(it.path.range),
          message: `Removing ${shownWord(it.path)} deletes the ${it.database} package database: the installed files lose their package, version and licence. Keep it; ${KEEP[it.database]}`,
        });
      }
    }
    return out;
  },
});
