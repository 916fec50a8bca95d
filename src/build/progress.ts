/**
 * Build progress, the way `docker build` shows it: a numbered line per step,
 * the step's output as it runs, and how it ended. Three renderings:
 * - tty: output of the running step is shown dimmed, and the step line is
 *   redrawn with its elapsed time when it ends (an interactive terminal);
 * - plain: the same lines, never redrawn (logs, CI);
 * - json: one JSON object per event (machines).
 */
import type { Writable } from 'node:stream';

export interface StepInfo {
  /** 1-based position among the build's steps. */
  index: number;
  total: number;
  id: string;
  stage: number;
  stageName?: string;
  /** The instruction as written, continuation lines joined. */
  instruction: string;
  line: number;
}

export interface StepEnd {
  cached: boolean;
  durationMs: number;
  /** Short note: "3 files", "config only". */
  note?: string;
}

export interface Progress {
  /** The build started; its containers carry this id in the io.scannable.build label. */
  begin(buildId: string): void;
  step(info: StepInfo): void;
  output(info: StepInfo, stream: 'stdout' | 'stderr', chunk: Buffer): void;
  done(info: StepInfo, end: StepEnd): void;
  failed(info: StepInfo, message: string): void;
  message(text: string): void;
  close(): void;
}

export type ProgressMode = 'tty' | 'plain' | 'json' | 'quiet';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

function header(i: StepInfo): string {
  const stage = i.stageName ?? String(i.stage);
  const text = i.instruction.replace(/\s+/g, ' ');
  return `#${i.index} [${stage} ${i.index}/${i.total}] ${text.length > 110 ? text.slice(0, 109) + '…' : text}`;
}

class LineProgress implements Progress {
  private partial = new Map<string, string>();
  constructor(
    private readonly out: Writable,
    private readonly colour: boolean,
  ) {}
  begin(): void {}
  private dim(s: string): string {
    return this.colour ? `\x1b[2m${s}\x1b[0m` : s;
  }
  step(i: StepInfo): void {
    this.out.write(`${header(i)}\n`);
  }
  output(i: StepInfo, _stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const key = i.id;
    const text = (this.partial.get(key) ?? '') + chunk.toString('utf8');
    const lines = text.split(/\r?\n/);
    this.partial.set(key, lines.pop() ?? '');
    for (const l of lines) this.out.write(this.dim(`#${i.index} ${l}`) + '\n');
  }
  done(i: StepInfo, end: StepEnd): void {
    const rest = this.partial.get(i.id);
    if (rest) this.out.write(this.dim(`#${i.index} ${rest}`) + '\n');
    this.partial.delete(i.id);
    const what = end.cached ? 'CACHED' : `DONE ${seconds(end.durationMs)}`;
    this.out.write(`#${i.index} ${what}${end.note ? ` (${end.note})` : ''}\n`);
  }
  failed(i: StepInfo, message: string): void {
    const rest = this.partial.get(i.id);
    if (rest) this.out.write(this.dim(`#${i.index} ${rest}`) + '\n');
    this.out.write(`#${i.index} ERROR: ${message}\n`);
  }
  message(text: string): void {
    this.out.write(text + '\n');
  }
  close(): void {}
}

class JsonProgress implements Progress {
  constructor(private readonly out: Writable) {}
  private emit(o: object): void {
    this.out.write(JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n');
  }
  begin(buildId: string): void {
    this.emit({ event: 'begin', buildId });
  }
  step(i: StepInfo): void {
    this.emit({ event: 'step', ...i });
  }
  output(i: StepInfo, stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this.emit({ event: 'output', id: i.id, stream, text: chunk.toString('utf8') });
  }
  done(i: StepInfo, end: StepEnd): void {
    this.emit({ event: 'done', id: i.id, ...end });
  }
  failed(i: StepInfo, message: string): void {
    this.emit({ event: 'failed', id: i.id, message });
  }
  message(text: string): void {
    this.emit({ event: 'message', text });
  }
  close(): void {}
}

class QuietProgress implements Progress {
  begin(): void {}
  step(): void {}
  output(): void {}
  done(): void {}
  failed(): void {}
  message(): void {}
  close(): void {}
}

export function createProgress(mode: ProgressMode, out: Writable & { isTTY?: boolean }): Progress {
  switch (mode) {
    case 'json':
      return new JsonProgress(out);
    case 'quiet':
      return new QuietProgress();
    case 'tty':
      return new LineProgress(out, !process.env.NO_COLOR);
    default:
      return new LineProgress(out, false);
  }
}

/** `auto`: tty on an interactive terminal, plain otherwise. */
export function progressModeFor(requested: string | undefined, out: { isTTY?: boolean }): ProgressMode {
  if (requested === 'tty' || requested === 'plain' || requested === 'json' || requested === 'quiet') return requested;
  return out.isTTY ? 'tty' : 'plain';
}
