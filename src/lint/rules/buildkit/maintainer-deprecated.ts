import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

export const maintainerDeprecated = buildkitRule({
  id: 'MaintainerDeprecated',
  title: 'The MAINTAINER instruction is deprecated, use a label instead to define an image author',
  description:
    'MAINTAINER sets a field of the legacy Docker image format that OCI images do not have. ' +
    'A label such as `org.opencontainers.image.authors` carries the same information and is what tools read.',
  hadolint: ['DL4000'],
  check(ctx) {
    const out: Report[] = [];
    for (const n of ctx.tree.instructions) {
      if (n.keyword.length === 10 && n.keyword.toLowerCase() === 'maintainer')
        out.push({ range: n.range, message: 'Maintainer instruction is deprecated in favor of using label' });
    }
    return out;
  },
});
