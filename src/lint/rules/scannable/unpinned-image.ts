import type { Range } from '../../../common/diagnostics.js';
import { familiarReference, parseImageReference, type DockerfileIR, type ImageReference } from '../../../ir/index.js';
import type { Report } from '../../types.js';
import { scannableRule } from './define.js';
import { flagRange, wordRange, writtenWords } from './locate.js';
import type { Instruction as SyntaxInstruction } from '../../../../grammar/dockerfile/index.js';

/** `registry.example.com`, `ghcr.io/acme`: a registry, or a path prefix within one. */
function trusted(ref: ImageReference, registries: readonly string[]): boolean {
  const full = `${ref.domain}/${ref.path}`;
  for (const r of registries) {
    let entry = r
      .trim()
      .toLowerCase()
      .replace(/^[a-z]+:\/\//, '')
      .replace(/\/+$/, '');
    if (entry === 'index.docker.io' || entry === 'registry-1.docker.io') entry = 'docker.io';
    if (entry.startsWith('index.docker.io/')) entry = 'docker.io/' + entry.slice('index.docker.io/'.length);
    if (entry !== '' && (ref.domain === entry || full === entry || full.startsWith(entry + '/'))) return true;
  }
  return false;
}

function pinAdvice(ref: ImageReference): string {
  const name = familiarReference({ domain: ref.domain, path: ref.path });
  return `pin it as ${name}${ref.tag ? `:${ref.tag}` : ''}@sha256:<digest>`;
}

/** The `--mount` flag that reads from `from`. */
function mountRange(node: SyntaxInstruction, from: string): Range | undefined {
  const f = writtenWords(node).flags.find(
    (w) =>
      w.text.startsWith('--mount') &&
      w.text
        .replace(/["']/g, '')
        .split(',')
        .some((kv) => kv === `from=${from}` || kv.endsWith(`=from=${from}`)),
  );
  return f ? wordRange(node, f) : flagRange(node, 'mount');
}

/** Names a RUN --mount from= may give a stage by. */
function isStage(ir: DockerfileIR, from: string): boolean {
  if (/^\d+$/.test(from)) return Number(from) < ir.stages.length;
  const lower = from.toLowerCase();
  return ir.stages.some((s) => s.name === lower);
}

export const unpinnedImage = scannableRule({
  id: 'SCN108',
  severity: 'warning',
  title: 'Base image or COPY --from image not pinned by digest',
  description:
    'A FROM image, `COPY --from=<image>` or `RUN --mount=from=<image>` named by tag only (`debian:bookworm`, `node:20`). A tag can be ' +
    'moved to other bytes at any time, so the same Dockerfile builds on different contents. Pin `@sha256:<digest>` (a tag may stay ' +
    'for readability), or list the registry in `trustedRegistries` of `.scannable.yaml`. Stage names and `scratch` are not images.',
  check(ctx) {
    const out: Report[] = [];
    const registries = ctx.settings.trustedRegistries;
    const check = (ref: string, range: Range, what: string): void => {
      if (ref.toLowerCase() === 'scratch') return;
      const parsed = parseImageReference(ref);
      // Invalid references are DockerfileError's.
      if (!parsed.ok || parsed.ref.digest !== undefined || trusted(parsed.ref, registries)) return;
      out.push({
        range,
        message: `${what} ${ref} is not pinned by digest, so it may be different bytes at each build: ${pinAdvice(parsed.ref)}, or trust its registry (trustedRegistries in .scannable.yaml)`,
      });
    };
    for (const stage of ctx.ir.stages) {
      if (stage.base.kind === 'image') {
        const node = stage.from.syntax;
        const image = writtenWords(node).args[0];
        check(stage.base.ref, image ? wordRange(node, image) : stage.from.range, 'Base image');
      }
      for (const ins of stage.instructions) {
        if (ins.kind === 'copy' && ins.from?.kind === 'image') {
          check(ins.from.ref, flagRange(ins.syntax, 'from') ?? ins.range, 'COPY --from image');
        } else if (ins.kind === 'run') {
          for (const m of ins.mounts) {
            if (m.from === undefined || isStage(ctx.ir, m.from)) continue;
            check(m.from, mountRange(ins.syntax, m.from) ?? ins.range, 'RUN --mount image');
          }
        }
      }
    }
    return out;
  },
});
