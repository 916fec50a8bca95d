/**
 * EXPOSE port words as BuildKit splits them (convert_expose.go):
 * `[ip:][hostPort:]containerPort[/proto]`. A word whose protocol is invalid
 * is a build error, not a lint finding, so it yields nothing here.
 */
import type { DockerfileIR, ExposeInstruction } from '../../../ir/index.js';

export interface PortWord {
  ins: ExposeInstruction;
  raw: string;
  ip: string;
  hostPort: string;
  proto: string;
}

export function exposedPorts(ir: DockerfileIR): PortWord[] {
  const out: PortWord[] = [];
  for (const stage of ir.stages) {
    for (const ins of stage.instructions) {
      if (ins.kind !== 'expose') continue;
      for (const raw of ins.ports) {
        const parts = raw.split(':');
        let ip = '';
        let hostPort = '';
        let container: string;
        if (parts.length === 1) container = parts[0]!;
        else if (parts.length === 2) [hostPort, container] = parts as [string, string];
        else {
          const n = parts.length;
          ip = parts.slice(0, n - 2).join(':');
          hostPort = parts[n - 2]!;
          container = parts[n - 1]!;
        }
        const slash = container.indexOf('/');
        const port = slash < 0 ? container : container.slice(0, slash);
        const proto = slash < 0 ? '' : container.slice(slash + 1);
        if (port === '' || !['', 'tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) continue;
        out.push({ ins, raw, ip, hostPort, proto });
      }
    }
  }
  return out;
}
