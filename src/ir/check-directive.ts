/** `# check=skip=A,B;error=true;experimental=C` (BuildKit linter configuration). */
import type { CheckDirective } from './types.js';

export function parseCheckDirective(value: string): CheckDirective {
  const out: CheckDirective = { skip: [], error: false, experimental: [] };
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    const list = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (key === 'skip') out.skip = v.toLowerCase() === 'all' ? 'all' : list;
    else if (key === 'error') out.error = v.toLowerCase() === 'true';
    else if (key === 'experimental') out.experimental = v.toLowerCase() === 'all' ? 'all' : list;
  }
  return out;
}
