import { goQuote } from '../../../common/go-text.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

import { looksSecret } from '../../../common/secrets.js';

// The word lists live in src/common/secrets.ts: the SBOM and plan redaction use the same ones.
export { looksSecret };

export const secretsUsedInArgOrEnv = buildkitRule({
  id: 'SecretsUsedInArgOrEnv',
  title: 'Sensitive data should not be used in the ARG or ENV commands',
  description:
    "ARG and ENV values are stored in the image's history and configuration, where anyone with the image can read them. " +
    "Pass secrets with `RUN --mount=type=secret` instead. The check goes by the variable's name (token, password, secret, key...).",
  check(ctx) {
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      for (const ins of stage.instructions) {
        if (ins.kind === 'arg') {
          for (const kv of ins.args)
            if (looksSecret(kv.key))
              out.push({
                range: ins.range,
                message: `Do not use ARG or ENV instructions for sensitive data (ARG ${goQuote(kv.key)})`,
              });
        } else if (ins.kind === 'env') {
          for (const p of ins.pairs)
            if (looksSecret(p.key))
              out.push({
                range: ins.range,
                message: `Do not use ARG or ENV instructions for sensitive data (ENV ${goQuote(p.key)})`,
              });
        }
      }
    }
    return out;
  },
});
