import { buildkitRule } from './define.js';
import { exposedPorts } from './expose.js';

export const exposeInvalidFormat = buildkitRule({
  id: 'ExposeInvalidFormat',
  title:
    'IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release',
  description:
    'EXPOSE documents which container ports the image listens on. Host addresses and host ports belong to `docker run -p`, ' +
    'not to the image: BuildKit drops them today and will refuse them in a future release.',
  check(ctx) {
    return exposedPorts(ctx.ir)
      .filter((p) => p.ip !== '' || p.hostPort !== '')
      .map((p) => ({
        range: p.ins.range,
        message: `EXPOSE instruction should not define an IP address or host-port mapping, found '${p.raw}'`,
      }));
  },
});
