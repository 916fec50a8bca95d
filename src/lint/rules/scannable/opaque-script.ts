import type { Report } from '../../types.js';
import { scannableRule } from './define.js';
import { runViews } from './runs.js';

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const opaqueScript = scannableRule({
  id: 'SCN105',
  severity: 'warning',
  title: 'Opaque script: RUN runs a script whose effect cannot be read statically',
  description:
    'The RUN runs code that the shell analysis cannot read: a script file (`sh ./install.sh`, `./setup.sh`, `. ./env.sh`), a program ' +
    'given as a variable or command output (`bash -c "$VAR"`, `eval "$(...)"`), a command whose name is not known, code in another ' +
    'language (`python3 script.py`, a heredoc with a `#!` line for another interpreter), a SHELL that is not POSIX, or text the parser ' +
    'could not read. What such a step installs or writes cannot be predicted or traced from the Dockerfile. Downloaded code run by an ' +
    "interpreter is SCN101's.",
  check(ctx) {
    const out: Report[] = [];
    for (const v of runViews(ctx)) {
      for (const it of v.intents) {
        if (it.kind !== 'Opaque' || (it.command !== undefined && v.sinks.has(it.command))) continue;
        const foreignShell = it.command === undefined && /SHELL/.test(it.reason);
        out.push({
          range: v.locate(it.range),
          message: foreignShell
            ? `${capitalised(it.reason)}: its scripts cannot be read, so what they install cannot be traced. Run installation steps with a POSIX shell`
            : `${capitalised(it.reason)}: its effect cannot be read from the Dockerfile, so the files it writes cannot be traced. Write its commands in the RUN itself`,
        });
      }
    }
    return out;
  },
});
