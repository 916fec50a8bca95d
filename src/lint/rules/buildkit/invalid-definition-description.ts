import type { Instruction as SyntaxInstruction } from '../../../../grammar/dockerfile/index.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

function check(node: SyntaxInstruction, instruction: 'FROM' | 'ARG', keys: string[]): Report | undefined {
  const comments = node.prevComment;
  if (comments.length === 0 || keys.length === 0) return undefined;
  const first = comments[comments.length - 1]!.split(' ')[0]!;
  if (keys.includes(first)) return undefined;
  const example = keys.length > 1 ? '<arg_key>' : keys[0]!;
  return {
    range: node.range,
    message: `Comment for ${instruction} should follow the format: \`# ${example} <description>\``,
  };
}

export const invalidDefinitionDescription = buildkitRule({
  id: 'InvalidDefinitionDescription',
  title:
    'Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.',
  description:
    'Tools such as `docker buildx build --call=outline` and `--call=targets` show the comment directly above a named stage or an ARG as its description, ' +
    'when the comment starts with the stage or ARG name. A comment there that does not is probably not meant as a description.',
  experimental: true,
  check(ctx) {
    const out: Report[] = [];
    const add = (r: Report | undefined): void => {
      if (r) out.push(r);
    };
    for (const a of ctx.ir.globalArgs)
      add(
        check(
          a.syntax,
          'ARG',
          a.args.map((kv) => kv.key),
        ),
      );
    for (const stage of ctx.ir.stages) {
      if (stage.name !== undefined) add(check(stage.from.syntax, 'FROM', [stage.name]));
      for (const ins of stage.instructions)
        if (ins.kind === 'arg')
          add(
            check(
              ins.syntax,
              'ARG',
              ins.args.map((kv) => kv.key),
            ),
          );
    }
    return out;
  },
});
