/**
 * Static vs observed: for each Dockerfile of corpus/provenance, lint's static
 * verdict for every step next to what the build observed (did the step leave
 * unattributed files in the image?), and the precision and recall of the
 * verdicts as a predictor of untraced files.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from '../src/build/builder.js';
import { createProgress } from '../src/build/progress.js';
import { DockerEngine } from '../src/engine/docker/client.js';
import type { VerdictLevel } from '../src/lower/types.js';
import { repoRoot } from './corpus.js';

const TOOL = '#!/bin/sh\necho a tool from the provenance corpus\n';
const INSTALLER =
  '#!/bin/sh\nset -e\nmkdir -p /opt/installed\necho installed > /opt/installed/marker\nprintf "#!/bin/sh\\necho hi\\n" > /usr/local/bin/installed-tool\nchmod +x /usr/local/bin/installed-tool\n';

async function serve(bundle: Buffer): Promise<{ url: string; close: () => Promise<void> }> {
  const files: Record<string, Buffer> = {
    '/tool': Buffer.from(TOOL),
    '/tool.sha256': Buffer.from(`${createHash('sha256').update(TOOL).digest('hex')}  tool\n`),
    '/install.sh': Buffer.from(INSTALLER),
    '/bundle.tar.gz': bundle,
  };
  const server = http.createServer((req, res) => {
    const body = files[req.url ?? ''];
    res.statusCode = body ? 200 : 404;
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface VerdictRow {
  file: string;
  step: string;
  line: number;
  instruction: string;
  predicted: VerdictLevel;
  files: number;
  unattributed: number;
}

export async function benchVerdicts(): Promise<VerdictRow[]> {
  const dir = path.join(repoRoot, 'corpus', 'provenance');
  const { readFileSync } = await import('node:fs');
  const srv = await serve(readFileSync(path.join(dir, 'bundle.tar.gz')));
  const engine = new DockerEngine();
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'scannable-verdicts-'));
  const rows: VerdictRow[] = [];
  try {
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.Dockerfile'))
      .sort()) {
      const out = await build({
        engine,
        context: dir,
        dockerfile: path.join(dir, f),
        tags: [],
        buildArgs: { SERVER: srv.url, TOOL_SHA256: createHash('sha256').update(TOOL).digest('hex') },
        labels: {},
        network: 'host',
        noCache: false,
        secrets: {},
        progress: createProgress('quiet', process.stderr),
        cacheDir,
      });
      for (const s of out.provenance.steps) {
        if (s.op === 'config' || s.observed.files === 0) continue;
        rows.push({
          file: f,
          step: s.step.id,
          line: s.step.line,
          instruction: s.step.instruction.replace(/\s+/g, ' '),
          predicted: s.predicted,
          files: s.observed.files,
          unattributed: s.observed.unattributed,
        });
      }
    }
  } finally {
    await srv.close();
  }
  return rows;
}

function score(
  rows: VerdictRow[],
  positive: (l: VerdictLevel) => boolean,
): { precision: number; recall: number; tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const r of rows) {
    const predicted = positive(r.predicted);
    const observed = r.unattributed > 0;
    if (predicted && observed) tp++;
    else if (predicted) fp++;
    else if (observed) fn++;
  }
  return { precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1, tp, fp, fn };
}

export function printVerdicts(rows: VerdictRow[]): void {
  console.log('static vs observed: lint verdicts for corpus/provenance steps vs unattributed files the build left');
  for (const r of rows) {
    console.log(
      `  ${r.file.padEnd(24)} ${String(r.line).padStart(3)}  ${r.predicted.padEnd(12)} ${String(r.unattributed).padStart(3)}/${String(r.files).padEnd(5)} ${r.instruction.slice(0, 70)}`,
    );
  }
  const strict = score(rows, (l) => l === 'unscannable');
  const broad = score(rows, (l) => l === 'unscannable' || l === 'partial');
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  console.log(
    `  predicting "unscannable" -> untraced files: precision ${pct(strict.precision)}, recall ${pct(strict.recall)} (tp ${strict.tp}, fp ${strict.fp}, fn ${strict.fn})`,
  );
  console.log(
    `  predicting "unscannable or partial":        precision ${pct(broad.precision)}, recall ${pct(broad.recall)} (tp ${broad.tp}, fp ${broad.fp}, fn ${broad.fn})`,
  );
}
