/** Phase timings on stderr when SCANNABLE_TIMING is set: where a build's time goes. */
const enabled = process.env.SCANNABLE_TIMING !== undefined && process.env.SCANNABLE_TIMING !== '0';
let last = performance.now();

export function phase(name: string): void {
  if (!enabled) return;
  const now = performance.now();
  // The phase's own time, then the time since the process started (Node's start-up included).
  process.stderr.write(`[timing] ${name}: ${(now - last).toFixed(0)} ms (at ${now.toFixed(0)} ms)\n`);
  last = now;
}
