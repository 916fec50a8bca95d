/**
 * IR -> Plan. Each instruction of each needed stage becomes one primitive op:
 *
 *   FROM -> base          COPY, local ADD -> copy (ADD: unpacks local archives)
 *   ADD <url> -> fetch    ADD <git url> -> gitFetch
 *   RUN -> exec           WORKDIR -> mkdir (and the config change)
 *   everything else -> config
 *
 * Only the stages the target needs are lowered (like BuildKit, and unlike the
 * legacy builder, which builds every stage before the target).
 */
import type { Diagnostic } from '../common/diagnostics.js';
import type { AddInstruction, CopyInstruction, DockerfileIR, Instruction, RunInstruction, Stage } from '../ir/types.js';
import { analyzeRun } from './analysis.js';
import type { BaseOp, ConfigPatch, InputRef, Op, Plan, PlanStage, Verdict } from './types.js';

export interface LowerOptions {
  /** `--target`: a stage name (case-insensitive) or index; default the last stage. */
  target?: string;
}

const NONE: Verdict = { level: 'none', reasons: [] };
const SCANNABLE = (reason: string): Verdict => ({ level: 'scannable', reasons: [reason] });

const ARCHIVE_EXT = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$/i;

/** BuildKit's isGitURL-ish test for ADD sources. */
export function isGitSource(src: string): boolean {
  if (/^git@[^:]+:/.test(src) || /^git:\/\//.test(src) || /^ssh:\/\//.test(src)) return true;
  return /^https?:\/\/[^#]+\.git(?:#.*)?$/.test(src);
}

export function isUrl(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

/** `https://host/repo.git#ref:subdir` -> url, ref, subdir. */
export function splitGitFragment(src: string): { url: string; ref?: string; subdir?: string } {
  const hash = src.indexOf('#');
  if (hash < 0) return { url: src };
  const url = src.slice(0, hash);
  const frag = src.slice(hash + 1);
  const colon = frag.indexOf(':');
  const ref = colon < 0 ? frag : frag.slice(0, colon);
  const subdir = colon < 0 ? undefined : frag.slice(colon + 1);
  return { url, ...(ref ? { ref } : {}), ...(subdir ? { subdir } : {}) };
}

function resolveTarget(ir: DockerfileIR, target: string | undefined, diagnostics: Diagnostic[]): number | undefined {
  if (ir.stages.length === 0) return undefined;
  if (target === undefined || target === '') return ir.stages.length - 1;
  const lower = target.toLowerCase();
  const byName = ir.stages.findIndex((s) => s.name === lower);
  if (byName >= 0) return byName;
  const names = ir.stages.map((s) => s.name).filter((n): n is string => n !== undefined);
  diagnostics.push({
    file: ir.file,
    range: ir.stages[ir.stages.length - 1]!.from.range,
    severity: 'error',
    code: 'plan/target',
    message: `target stage ${JSON.stringify(target)} could not be found`,
    hint: names.length
      ? `stages with names: ${names.join(', ')}`
      : 'no stage has a name; name one with FROM image AS name',
  });
  return undefined;
}

/** Stages a stage reads from directly. */
function stageDeps(stage: Stage, ir: DockerfileIR): { stages: number[]; images: string[] } {
  const stages = new Set<number>();
  const images = new Set<string>();
  if (stage.base.kind === 'stage') stages.add(stage.base.stage);
  for (const ins of stage.instructions) {
    if (ins.kind === 'copy' && ins.from) {
      if (ins.from.kind === 'stage') stages.add(ins.from.stage);
      else images.add(ins.from.ref);
    }
    if (ins.kind === 'run') {
      for (const m of ins.mounts) {
        if (m.from === undefined) continue;
        const idx = stageIndexByRef(ir, m.from);
        if (idx !== undefined) stages.add(idx);
        else images.add(m.from);
      }
    }
  }
  return { stages: [...stages].sort((a, b) => a - b), images: [...images].sort() };
}

function stageIndexByRef(ir: DockerfileIR, ref: string): number | undefined {
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    return n < ir.stages.length ? n : undefined;
  }
  const i = ir.stages.findIndex((s) => s.name === ref.toLowerCase());
  return i >= 0 ? i : undefined;
}

export function lower(ir: DockerfileIR, opts: LowerOptions = {}): Plan {
  const diagnostics: Diagnostic[] = [...ir.diagnostics];
  const buildArgs: Record<string, string> = {};
  const target = resolveTarget(ir, opts.target, diagnostics);
  const plan: Plan = {
    file: ir.file,
    target: target ?? -1,
    stages: [],
    buildArgs,
    platform: ir.targetPlatform,
    diagnostics,
  };
  if (target === undefined) return plan;

  // Stages the target needs, transitively.
  const needed = new Set<number>();
  const visit = (i: number): void => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of stageDeps(ir.stages[i]!, ir).stages) visit(d);
  };
  visit(target);

  for (const stage of ir.stages) {
    if (!needed.has(stage.index)) continue;
    plan.stages.push(lowerStage(ir, stage));
  }
  return plan;
}

function lowerStage(ir: DockerfileIR, stage: Stage): PlanStage {
  const deps = stageDeps(stage, ir);
  const ops: Op[] = [];
  const instructions: Array<Instruction | undefined> = [];
  const id = () => `s${stage.index}.${ops.length}`;
  const from = stage.from;
  const base: BaseOp = {
    id: id(),
    kind: 'base',
    range: from.range,
    keyword: from.keyword,
    source: stage.base.kind === 'image' ? { kind: 'image', ref: stage.base.ref } : stage.base,
    ...(from.platform ? { platform: from.platform.value } : {}),
    inputs:
      stage.base.kind === 'image'
        ? [{ kind: 'image', ref: stage.base.ref }]
        : stage.base.kind === 'stage'
          ? [{ kind: 'stage', stage: stage.base.stage }]
          : [],
    verdict:
      stage.base.kind === 'scratch'
        ? NONE
        : stage.base.kind === 'stage'
          ? SCANNABLE('files keep the origins they had in the base stage')
          : SCANNABLE('base image contents are catalogued once per image'),
  };
  ops.push(base);
  instructions.push(undefined);

  // What RUN and WORKDIR need to know statically.
  let user: string | undefined;
  let workdir: string | undefined;
  // ARG values visible to RUN; an ENV of the same name takes over.
  const args = new Map<string, string>();
  for (const ins of stage.instructions) {
    const common = { id: id(), range: ins.range, keyword: ins.keyword };
    let op: Op;
    switch (ins.kind) {
      case 'run':
        op = lowerRun(common, ins, user, workdir, [...args], ir);
        break;
      case 'copy':
        op = lowerCopy(common, ins, workdir);
        break;
      case 'add':
        op = lowerAdd(common, ins, workdir);
        break;
      case 'workdir': {
        workdir = joinWorkdir(workdir, ins.path.value);
        op = {
          ...common,
          kind: 'mkdir',
          path: workdir,
          ...(user !== undefined ? { user } : {}),
          inputs: [],
          verdict: { level: 'none', reasons: ['creates a directory (and sets WORKDIR)'] },
        };
        break;
      }
      default: {
        const patch = configPatch(ins);
        if (patch.user !== undefined) user = patch.user;
        for (const [k, v] of patch.args ?? []) if (v !== undefined) args.set(k, v);
        for (const [k] of patch.env ?? []) args.delete(k);
        op = { ...common, kind: 'config', patch, inputs: [], verdict: NONE };
      }
    }
    ops.push(op);
    instructions.push(ins);
  }
  return {
    index: stage.index,
    ...(stage.name !== undefined ? { name: stage.name } : {}),
    dependsOn: deps.stages,
    images: deps.images,
    ops,
    instructions,
  };
}

/** WORKDIR semantics: relative paths join the previous WORKDIR (unknown base: "/"). */
export function joinWorkdir(current: string | undefined, path: string): string {
  if (path.startsWith('/')) return normalizePath(path);
  return normalizePath(`${current ?? '/'}/${path}`);
}

function normalizePath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

type Common = { id: string; range: Op['range']; keyword: string };

function lowerRun(
  common: Common,
  ins: RunInstruction,
  user: string | undefined,
  workdir: string | undefined,
  args: Array<[string, string]>,
  ir: DockerfileIR,
): Op {
  const inputs: InputRef[] = [];
  for (const m of ins.mounts) {
    if (m.type === 'secret' && m.id) inputs.push({ kind: 'secret', id: m.id });
    if (m.type === 'bind' || (m.type === 'cache' && m.from !== undefined)) {
      const idx = m.from !== undefined ? stageIndexByRef(ir, m.from) : undefined;
      if (m.from === undefined) inputs.push({ kind: 'context', path: m.source ?? '.' });
      else if (idx !== undefined) inputs.push({ kind: 'stage', stage: idx, path: m.source ?? '/' });
      else inputs.push({ kind: 'image', ref: m.from, path: m.source ?? '/' });
    }
  }
  const analysis = analyzeRun(ins, workdir);
  const scriptFile = shebangScript(ins);
  return {
    ...common,
    kind: 'exec',
    command: scriptFile ? { form: 'exec', argv: [`/dev/pipes/${scriptFile.name}`] } : ins.command,
    shell: ins.shell,
    env: [...ins.scope.vars],
    args,
    ...(user !== undefined ? { user } : {}),
    ...(workdir !== undefined ? { workdir } : {}),
    mounts: ins.mounts,
    network: ins.network,
    security: ins.security,
    ...(scriptFile ? { scriptFile } : {}),
    inputs,
    analysis,
    verdict: analysis.verdict,
  };
}

/** `RUN <<EOF` whose body starts with #!: BuildKit runs the body as an executable file. */
function shebangScript(ins: RunInstruction): { name: string; content: string } | undefined {
  if (ins.command.form !== 'shell' || ins.heredocs.length === 0) return undefined;
  const script = ins.command.script;
  const first = ins.heredocs[0]!;
  if (!script.startsWith('#!')) return undefined;
  // Only the single-heredoc form hands the body over as the script.
  if (ins.syntax.args.length !== 1 || !/^\d*<<-?/.test(ins.syntax.args[0]!.trim())) return undefined;
  return { name: first.name, content: script };
}

function lowerCopy(common: Common, ins: CopyInstruction, workdir: string | undefined): Op {
  const from: Extract<Op, { kind: 'copy' }>['from'] = !ins.from
    ? { kind: 'context' }
    : ins.from.kind === 'stage'
      ? { kind: 'stage', stage: ins.from.stage }
      : { kind: 'image', ref: ins.from.ref };
  const sources = ins.sources.map((s) => s.value);
  const inputs: InputRef[] = sources.map((path) =>
    from.kind === 'context'
      ? { kind: 'context', path }
      : from.kind === 'stage'
        ? { kind: 'stage', stage: from.stage, path }
        : { kind: 'image', ref: from.ref, path },
  );
  for (const f of ins.inline) inputs.push({ kind: 'inline', name: f.name });
  const reason =
    from.kind === 'context'
      ? 'context files are hashed as they are copied'
      : from.kind === 'stage'
        ? 'files keep the origins they had in the source stage'
        : 'files are catalogued in the source image';
  return {
    ...common,
    kind: 'copy',
    from,
    sources,
    inline: ins.inline,
    dest: resolveDest(workdir, ins.dest.value),
    ...(ins.chown ? { chown: ins.chown.value } : {}),
    ...(ins.chmod ? { chmod: ins.chmod.value } : {}),
    link: ins.link,
    parents: ins.parents,
    exclude: ins.exclude,
    unpackArchives: false,
    inputs,
    verdict:
      ins.inline.length && !sources.length
        ? SCANNABLE('inline files are written from the Dockerfile itself')
        : SCANNABLE(reason),
  };
}

/**
 * A COPY/ADD destination made absolute against WORKDIR. A destination that
 * names a directory (trailing slash, `.`) keeps a trailing slash: it decides
 * whether a single file is copied into it or as it.
 */
export function resolveDest(workdir: string | undefined, dest: string): string {
  const isDir = dest.endsWith('/') || dest === '.' || dest.endsWith('/.') || dest === '..' || dest.endsWith('/..');
  const abs = joinWorkdir(workdir, dest);
  return isDir && abs !== '/' ? abs + '/' : abs;
}

function lowerAdd(common: Common, ins: AddInstruction, workdir: string | undefined): Op {
  const dest = resolveDest(workdir, ins.dest.value);
  const sources = ins.sources.map((s) => s.value);
  const owner = { ...(ins.chown ? { chown: ins.chown.value } : {}), ...(ins.chmod ? { chmod: ins.chmod.value } : {}) };
  // A single remote source lowers to fetch/gitFetch; mixed or local sources to copy.
  if (sources.length === 1 && ins.inline.length === 0) {
    const src = sources[0]!;
    if (isGitSource(src)) {
      const g = splitGitFragment(src);
      const pinned = g.ref !== undefined && /^[0-9a-f]{40}$/.test(g.ref);
      return {
        ...common,
        kind: 'gitFetch',
        ...g,
        dest,
        keepGitDir: ins.keepGitDir ?? false,
        ...(ins.checksum ? { checksum: ins.checksum.value } : {}),
        ...owner,
        inputs: [{ kind: 'git', url: g.url, ...(g.ref ? { ref: g.ref } : {}) }],
        verdict:
          pinned || ins.checksum
            ? SCANNABLE('git source pinned to a commit')
            : {
                level: 'partial',
                reasons: [
                  'git source not pinned to a commit: the repository is recorded, but which revision was fetched depends on when',
                ],
              },
      };
    }
    if (isUrl(src)) {
      const checksum = ins.checksum?.value;
      return {
        ...common,
        kind: 'fetch',
        url: src,
        ...(checksum ? { checksum } : {}),
        dest,
        ...owner,
        unpack: ins.unpack ?? false,
        inputs: [{ kind: 'url', url: src, ...(checksum ? { checksum } : {}) }],
        verdict: checksum
          ? SCANNABLE('download verified by --checksum')
          : {
              level: 'unscannable',
              reasons: [
                'remote file without --checksum: its bytes are recorded but not verified against a known source',
              ],
            },
      };
    }
    if (ARCHIVE_EXT.test(src) && ins.unpack !== false) {
      return {
        ...common,
        kind: 'extract',
        source: src,
        dest,
        ...owner,
        inputs: [{ kind: 'context', path: src }],
        verdict: {
          level: 'partial',
          reasons: [
            'files come from an archive in the context: traced to the archive, whose own origin must be declared',
          ],
        },
      };
    }
  }
  const remote = sources.filter((s) => isUrl(s) || isGitSource(s));
  return {
    ...common,
    kind: 'copy',
    from: { kind: 'context' },
    sources,
    inline: ins.inline,
    dest,
    ...owner,
    link: ins.link,
    parents: false,
    exclude: ins.exclude,
    unpackArchives: ins.unpack !== false,
    inputs: [
      ...sources.map((s): InputRef => (isUrl(s) ? { kind: 'url', url: s } : { kind: 'context', path: s })),
      ...ins.inline.map((f): InputRef => ({ kind: 'inline', name: f.name })),
    ],
    verdict: remote.length
      ? {
          level: 'unscannable',
          reasons: ['ADD with several sources including remote ones: downloads are not verified'],
        }
      : SCANNABLE('context files are hashed as they are copied'),
  };
}

function commandArgv(
  cmd: { form: 'exec'; argv: string[] } | { form: 'shell'; script: string },
  shell: string[],
): string[] {
  return cmd.form === 'exec' ? cmd.argv : [...shell, cmd.script];
}

function configPatch(
  ins: Exclude<Instruction, RunInstruction | CopyInstruction | AddInstruction | { kind: 'workdir' }>,
): ConfigPatch {
  switch (ins.kind) {
    case 'env':
      return { env: ins.pairs.map((p) => [p.key, p.value.value]) };
    case 'arg':
      return { args: ins.args.map((a) => [a.key, a.value]) };
    case 'label':
      return { labels: ins.pairs.map((p) => [p.key.value, p.value.value]) };
    case 'user':
      return { user: ins.user.value };
    case 'expose':
      return { exposedPorts: ins.ports.map((p) => (p.includes('/') ? p.toLowerCase() : `${p}/tcp`)) };
    case 'volume':
      return { volumes: ins.paths.map((p) => p.value) };
    case 'cmd':
      return { cmd: commandArgv(ins.command, ins.shell) };
    case 'entrypoint':
      return {
        entrypoint:
          ins.command.form === 'exec' && ins.command.argv.length === 0 ? null : commandArgv(ins.command, ins.shell),
      };
    case 'shell':
      return { shell: ins.argv };
    case 'healthcheck':
      return {
        healthcheck: {
          test: ins.test,
          interval: ins.interval,
          timeout: ins.timeout,
          startPeriod: ins.startPeriod,
          startInterval: ins.startInterval,
          retries: ins.retries,
        },
      };
    case 'stopsignal':
      return { stopSignal: ins.signal.value };
    case 'onbuild':
      return { onBuild: [ins.expression] };
    case 'maintainer':
      return { maintainer: ins.maintainer };
  }
}
