import { chompedContent, expandWord, parseHeredocWord, type Instruction as SyntaxInstruction, type VariableLookup } from '../../../../grammar/dockerfile/index.js';
import { suggest } from '../../../common/suggest.js';
import { scopeLookup, type Expanded, type Instruction, type Stage } from '../../../ir/index.js';
import { csvFields } from '../../../ir/values.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';
import { walkStages } from './stages.js';

/** Build args BuildKit reads itself and never puts into the environment. */
const NON_ENV: ReadonlySet<string> = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

/**
 * The stage environment's variable names in BuildKit's order (oldest
 * assignment first, a re-assigned name moving to the end): "did you mean"
 * takes the first closest name in that order.
 */
type EnvOrder = Map<string, true>;

function touch(order: EnvOrder, key: string): void {
  order.delete(key);
  order.set(key, true);
}

function initialOrder(stage: Stage): EnvOrder {
  const first = stage.instructions[0];
  const keys = first ? [...first.scope.vars.keys()] : ['PATH'];
  return new Map(keys.map((k) => [k, true]));
}

/** The unmatched names of a word BuildKit expands but the IR keeps no record for. */
function unmatched(word: string, lookup: VariableLookup, opts: Parameters<typeof expandWord>[2]): Iterable<string> {
  const out = expandWord(word, lookup, opts);
  return out.ok ? out.result.unmatched : [];
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
    'Offline, variables that the base image\'s own ENV sets are unknown and reported too.',
  check(ctx) {
    const ir = ctx.ir;
    const out: Report[] = [];
    const escape = { escape: ir.escape };

    walkStages(
      ir,
      (stage) => initialOrder(stage),
      (parent) => new Map(parent),
      (stage, order) => {
        for (const ins of stage.instructions) {
          const lookup = scopeLookup(ins.scope);
          const report = (names: Iterable<string>, alsoDeclared?: ReadonlySet<string>): void => {
            for (const v of names) {
              if (ins.scope.declaredOnly.has(v) || alsoDeclared?.has(v) || NON_ENV.has(v)) continue;
              const options = [...order.keys()].filter((k) => !NON_ENV.has(k));
              const s = suggest(v, options, true);
              out.push({ range: ins.range, message: `Usage of undefined variable '$${v}'${s ? ` (did you mean $${s}?)` : ''}` });
            }
          };
          const words = (list: Array<Expanded | undefined>): void => {
            for (const w of list) if (w) report(w.undefinedVars);
          };
          visit(ins, order, lookup, report, words, escape);
        }
      },
    );
    return out;
  },
});

function visit(
  ins: Instruction,
  order: EnvOrder,
  lookup: VariableLookup,
  report: (names: Iterable<string>, alsoDeclared?: ReadonlySet<string>) => void,
  words: (list: Array<Expanded | undefined>) => void,
  escape: { escape: '\\' | '`' },
): void {
  switch (ins.kind) {
    case 'env':
      ins.pairs.forEach((p, i) => {
        // The IR keeps ENV keys expanded but not what they referenced.
        report(unmatched(ins.syntax.args[i * 3] ?? '', lookup, escape));
        report(p.value.undefinedVars);
      });
      for (const p of ins.pairs) touch(order, p.key);
      break;
    case 'label':
      for (const p of ins.pairs) words([p.key, p.value]);
      break;
    case 'arg': {
      // Each ARG name counts as declared for the defaults after it in the same instruction.
      const declared = new Set<string>();
      for (const kv of ins.args) {
        if (kv.default && kv.valueFrom !== 'build-arg') report(kv.default.undefinedVars, declared);
        declared.add(kv.key);
        if (kv.value !== undefined && !NON_ENV.has(kv.key)) touch(order, kv.key);
      }
      break;
    }
    case 'copy':
    case 'add':
      words([ins.chown, ins.chmod, ins.kind === 'add' ? ins.checksum : undefined, ...ins.sources, ins.dest]);
      for (const body of inlineBodies(ins.syntax)) report(unmatched(body, lookup, { escape: '\\', skipProcessQuotes: true }));
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
      for (const v of mountValues(ins.syntax)) report(unmatched(v, lookup, escape));
      break;
    default:
      // CMD, ENTRYPOINT, HEALTHCHECK, EXPOSE, SHELL, ONBUILD and MAINTAINER are not expanded with reporting.
      break;
  }
}
