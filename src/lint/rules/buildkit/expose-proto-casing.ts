import { buildkitRule } from './define.js';
import { exposedPorts } from './expose.js';

export const exposeProtoCasing = buildkitRule({
  id: 'ExposeProtoCasing',
  title: 'Protocol in EXPOSE instruction should be lowercase',
  description:
    'EXPOSE accepts `tcp`, `udp` and `sctp` in any case and stores them lower-cased; writing them in lower case says what the image will record.',
  check(ctx) {
    return exposedPorts(ctx.ir)
      .filter((p) => p.proto !== p.proto.toLowerCase())
      .map((p) => ({
        range: p.ins.range,
        message: `Defined protocol '${p.raw}' in EXPOSE instruction should be lowercase`,
      }));
  },
});
