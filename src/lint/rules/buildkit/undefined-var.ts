import {
  chompedContent,
  expandWord,
  parseHeredocWord,
  type Instruction as SyntaxInstruction,
} from '../../../../grammar/dockerfile/index.js';
import { scopeLookup, type Expanded, type Instruction, type Scope, type Stage } from '../../../ir/index.js';
import { closestName } from '../../suggest.js';
import { csvFields } from '../../../ir/values.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';
import { walkStages } from './stages.js';

/** Build args BuildKit reads itself and never puts into the environment. */
const NON_ENV: ReadonlySet<string> = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

/**
 * When each variable of a stage's environment was last assigned, for
 * BuildKit's "did you mean" order (oldest assignment first: its environment
 * list moves a re-assigned name to the end). A stage records its own
 * assignments and points at the state its parent stage ended with, which
 * never changes again, so no stage copies another's.
 */
interface Assignments {
  own: Map<string, number>;
  parent?: Assignments;
}

function lastAssigned(a: Assignments, key: string): number {
  for (let x: Assignments | undefined = a; x; x = x.parent) {
    const t = x.own.get(key);
    if (t !== undefined) return t;
  }
  return Infinity;
}

/** A stage on an image or scratch starts with the base environment (and PATH), in that order. */
function freshAssignments(stage: Stage, tick: () => number): Assignments {
  const first = stage.instructions[0];
  const own = new Map<string, number>();
  for (const k of first ? first.scope.vars.keys() : ['PATH']) own.set(k, tick());
  return { own };
}

/** Names within suggest()'s reach of `name` (length within 2), per scope, built on first use (in `byLength`, one per check). */
function candidates(byLength: Map<Scope, Map<number, string[]>>, scope: Scope, name: string): string[] {
  let index = byLength.get(scope);
  if (!index) {
    index = new Map();
    for (const k of scope.vars.keys()) {
      if (NON_ENV.has(k)) continue;
      const list = index.get(k.length);
      if (list) list.push(k);
      else index.set(k.length, [k]);
    }
    byLength.set(scope, index);
  }
  const out: string[] = [];
  for (let d = -2; d <= 2; d++) for (const k of index.get(name.length + d) ?? []) out.push(k);
  return out;
}

/** Heredoc files of COPY/ADD whose bodies BuildKit expands (unquoted delimiter). */
function inlineBodies(node: SyntaxInstruction): string[] {
  const bodies: string[] = [];
  const byName = new Map(node.heredocs.map((h) => [h.name, h]));
  for (const src of node.args.slice(0, -1)) {
    const doc = parseHeredocWord(src);
    if (!doc.ok || !doc.heredoc || !doc.heredoc.expand) continue;
    const h = byName.get(doc.heredoc.name);
    if (!h) continue;
    bodies.push(chompedContent({ ...h, chomp: doc.heredoc.chomp }));
  }
  return bodies;
}

/** The values of `--mount` fields, which BuildKit expands one by one until one fails. */
function mountValues(node: SyntaxInstruction): string[] {
  const values: string[] = [];
  for (const flag of node.flags) {
    if (!flag.startsWith('--mount=')) continue;
    const csv = csvFields(flag.slice('--mount='.length));
    if (!csv.ok) continue;
    for (const field of csv.fields) {
      const eq = field.indexOf('=');
      if (eq >= 0) values.push(field.slice(eq + 1));
    }
  }
  return values;
}

export const undefinedVar = buildkitRule({
  id: 'UndefinedVar',
  title: 'Variables should be defined before their use',
  description:
    'A `$NAME` that no ARG or ENV of the stage (or of the stage it is built on) defines expands to an empty string, silently. ' +
    'Usually the ARG is missing from the stage (global ARGs must be declared again after FROM to be used) or the name is misspelt. ' +
    "Offline, variables that the base image's own ENV sets are unknown and reported too.",
  check(ctx) {
    const ir = ctx.ir;
    const out: Report[] = [];
    // Assignment times: only their order matters.
    let clock = 0;
    const tick = (): number => clock++;
    const byLength = new Map<Scope, Map<number, string[]>>();
    walkStages(
      ir,
      (stage) => freshAssignments(stage, tick),
      (parent) => ({ own: new Map(), parent }),
      (stage, assigned) => {
        for (const ins of stage.instructions) {
          for (const v of unmatchedNames(ins, ir.escape)) {
            const s = closestName(v, candidates(byLength, ins.scope, v), (k) => lastAssigned(assigned, k));
            out.push({
              range: ins.range,
              message: `Usage of undefined variable '$${v}'${s ? ` (did you mean $${s}?)` : ''}`,
            });
          }
          if (ins.kind === 'env') for (const p of ins.pairs) assigned.own.set(p.key, tick());
          else if (ins.kind === 'arg')
            for (const kv of ins.args)
              if (kv.value !== undefined && !NON_ENV.has(kv.key)) assigned.own.set(kv.key, tick());
        }
      },
    );
    return out;
  },
});

/**
 * The undefined names an instruction uses, one entry per word that uses one
 * (BuildKit reports per expanded word), minus ARGs declared without a value.
 */
function unmatchedNames(ins: Instruction, escape: '\\' | '`'): string[] {
  const out: string[] = [];
  const add = (names: Iterable<string>, alsoDeclared?: ReadonlySet<string>): void => {
    for (const v of names) if (!ins.scope.declaredOnly.has(v) && !alsoDeclared?.has(v) && !NON_ENV.has(v)) out.push(v);
  };
  const words = (list: Array<Expanded | undefined>): void => {
    for (const w of list) if (w && w.undefinedVars.length > 0) add(w.undefinedVars);
  };
  // Words the IR keeps no record of are expanded again, against the instruction's scope.
  const again = (word: string, opts: Parameters<typeof expandWord>[2] = { escape }): void => {
    const r = expandWord(word, scopeLookup(ins.scope), opts);
    if (r.ok && r.result.unmatched.size > 0) add(r.result.unmatched);
  };
  switch (ins.kind) {
    case 'env':
      ins.pairs.forEach((p, i) => {
        again(ins.syntax.args[i * 3] ?? '');
        words([p.value]);
      });
      break;
    case 'label':
      for (const p of ins.pairs) words([p.key, p.value]);
      break;
    case 'arg': {
      // Each ARG name counts as declared for the defaults after it in the same instruction.
      const declared = new Set<string>();
      for (const kv of ins.args) {
        if (kv.default && kv.valueFrom !== 'build-arg') add(kv.default.undefinedVars, declared);
        declared.add(kv.key);
      }
      break;
    }
    case 'copy':
    case 'add':
      words([ins.chown, ins.chmod, ins.kind === 'add' ? ins.checksum : undefined, ...ins.sources, ins.dest]);
      if (ins.syntax.heredocs.length > 0)
        for (const body of inlineBodies(ins.syntax)) again(body, { escape: '\\', skipProcessQuotes: true });
      break;
    case 'workdir':
      words([ins.path]);
      break;
    case 'user':
      words([ins.user]);
      break;
    case 'volume':
      words(ins.paths);
      break;
    case 'stopsignal':
      words([ins.signal]);
      break;
    case 'run':
      if (ins.syntax.flags.length > 0) for (const v of mountValues(ins.syntax)) again(v);
      break;
    default:
      // CMD, ENTRYPOINT, HEALTHCHECK, EXPOSE, SHELL, ONBUILD and MAINTAINER are not expanded with reporting.
      break;
  }
  return out;
}
