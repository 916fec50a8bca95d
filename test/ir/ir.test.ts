import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../grammar/dockerfile/index.js';
import { buildIR, type DockerfileIR, type IROptions, type Instruction } from '../../src/ir/index.js';

function ir(text: string, opts?: IROptions): DockerfileIR {
  const p = parseDockerfile(text, 'Dockerfile');
  if (!p.ok) throw new Error(p.diagnostics[0]!.message);
  return buildIR(p.tree, opts);
}

function only<K extends Instruction['kind']>(
  r: DockerfileIR,
  kind: K,
  stage = 0,
  nth = 0,
): Extract<Instruction, { kind: K }> {
  const found = r.stages[stage]!.instructions.filter((i) => i.kind === kind);
  return found[nth] as Extract<Instruction, { kind: K }>;
}

const errors = (r: DockerfileIR) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

describe('stages', () => {
  it('names, bases and stage references', () => {
    const r = ir(
      'FROM debian:bookworm AS Build\nRUN make\nFROM build\nFROM scratch\nCOPY --from=Build /a /a\nCOPY --from=0 /b /b\nCOPY --from=busybox /bin/sh /sh\n',
    );
    expect(r.stages.map((s) => s.name)).toEqual(['build', undefined, undefined]);
    expect(r.stages.map((s) => s.base)).toEqual([
      { kind: 'image', ref: 'debian:bookworm' },
      { kind: 'stage', stage: 0 },
      { kind: 'scratch' },
    ]);
    const copies = r.stages[2]!.instructions.filter((i) => i.kind === 'copy').map((c) => c.from);
    expect(copies).toEqual([
      { kind: 'stage', stage: 0, raw: 'Build' },
      { kind: 'stage', stage: 0, raw: '0' },
      { kind: 'image', ref: 'busybox', raw: 'busybox' },
    ]);
    expect(errors(r)).toEqual([]);
  });

  it('expands FROM with global ARGs and build args, not stage ARGs', () => {
    const r = ir(
      'ARG TAG=bookworm\nFROM debian:${TAG}\nARG TAG=ignored\nFROM --platform=$BUILDPLATFORM debian:$TAG\n',
      {
        buildArgs: { TAG: '12' },
        targetPlatform: { os: 'linux', architecture: 'arm64' },
        buildPlatform: { os: 'linux', architecture: 'amd64' },
      },
    );
    expect(r.stages.map((s) => s.from.image.value)).toEqual(['debian:12', 'debian:12']);
    expect(r.stages[1]!.from.platform?.value).toBe('linux/amd64');
    expect(r.globalArgs[0]!.args[0]).toMatchObject({ key: 'TAG', value: '12', valueFrom: 'build-arg' });
  });

  it('reports blank and invalid base names', () => {
    expect(errors(ir('ARG IMG\nFROM ${IMG}\n'))).toEqual(['base name (${IMG}) should not be blank']);
    expect(errors(ir('ARG V\nFROM docker:${V}-dind\n'))).toEqual([
      'failed to parse stage name "docker:-dind": invalid reference format',
    ]);
    expect(errors(ir('FROM a AS 1stage\n'))).toEqual([
      'invalid name for build stage: "1stage", name can\'t start with a number or contain symbols',
    ]);
    expect(errors(ir('FROM a b\n'))).toEqual(['FROM requires either one or three arguments']);
  });
});

describe('variables', () => {
  it('ARG inherits global values, ENV sees the scope before itself', () => {
    const r = ir('ARG V=1\nFROM x\nARG V\nENV A=$V B=x\nENV C=$A$B\nRUN echo\n');
    expect(only(r, 'arg').args[0]).toMatchObject({ key: 'V', value: '1', valueFrom: 'global' });
    expect(only(r, 'env', 0, 0).pairs.map((p) => [p.key, p.value.value])).toEqual([
      ['A', '1'],
      ['B', 'x'],
    ]);
    expect(only(r, 'env', 0, 1).pairs[0]!.value.value).toBe('1x');
    const run = only(r, 'run');
    expect(Object.fromEntries(run.scope.vars)).toMatchObject({ V: '1', A: '1', B: 'x', C: '1x' });
    expect(run.scope.baseEnvKnown).toBe(false);
  });

  it('an ARG without value is declared but unset, and reported as undefined when used', () => {
    const r = ir('FROM x\nARG NOVAL\nENV A=${NOVAL}b\n');
    const env = only(r, 'env');
    expect(env.pairs[0]!.value).toEqual({ raw: '${NOVAL}b', value: 'b', undefinedVars: ['NOVAL'] });
    expect(env.scope.declaredOnly.has('NOVAL')).toBe(true);
  });

  it('uses the base image environment when it is known', () => {
    const r = ir('FROM golang\nENV P=$GOPATH/bin\n', {
      baseImageEnv: (ref) => (ref === 'golang' ? ['GOPATH=/go', 'PATH=/go/bin:/usr/bin'] : undefined),
    });
    expect(only(r, 'env').pairs[0]!.value.value).toBe('/go/bin');
    expect(only(r, 'env').scope.baseEnvKnown).toBe(true);
  });

  it('adds the default PATH, and stages inherit their parent stage scope', () => {
    const r = ir('FROM x AS a\nENV A=1\nFROM a\nENV B=$A:$PATH\n');
    expect(only(r, 'env', 1).pairs[0]!.value.value).toBe(
      '1:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    );
  });

  it('expands the words BuildKit expands, and no others', () => {
    const r = ir(
      'FROM x\nENV D=/opt U=app P=80 S=TERM\nWORKDIR $D\nUSER $U\nEXPOSE $P 9$P/udp\nSTOPSIGNAL SIG$S\nVOLUME $D/data\nLABEL k=$D\nCMD echo $D\nCOPY --chown=$U $D/a $D/\n',
    );
    expect(only(r, 'workdir').path.value).toBe('/opt');
    expect(only(r, 'user').user.value).toBe('app');
    expect(only(r, 'expose').ports).toEqual(['80', '980/udp']);
    expect(only(r, 'stopsignal').signal.value).toBe('SIGTERM');
    expect(only(r, 'volume').paths[0]!.value).toBe('/opt/data');
    expect(only(r, 'label').pairs[0]!.value.value).toBe('/opt');
    expect(only(r, 'cmd').command).toEqual({ form: 'shell', script: 'echo $D' });
    const copy = only(r, 'copy');
    expect([copy.chown?.value, copy.sources[0]!.value, copy.dest.value]).toEqual(['app', '/opt/a', '/opt/']);
  });

  it('reports BuildKit expansion errors', () => {
    expect(errors(ir('FROM x\nENV A="${B:?must be set}"\n'))).toEqual([
      'failed to process "\\"${B:?must be set}\\"": B: must be set',
    ]);
  });
});

describe('instructions', () => {
  it('RUN: exec vs shell form, mounts, network, heredocs', () => {
    const r = ir(
      'FROM x\nRUN ["echo", "a"]\nRUN --network=none --mount=type=cache,target=/root/.cache --mount=type=secret,id=tok echo hi\nRUN <<EOF\napt-get update\nEOF\nRUN cat <<EOF > /f\nx\nEOF\n',
    );
    const runs = r.stages[0]!.instructions.filter((i) => i.kind === 'run');
    expect(runs[0]!.command).toEqual({ form: 'exec', argv: ['echo', 'a'] });
    expect(runs[1]!.network).toBe('none');
    expect(runs[1]!.mounts).toEqual([
      {
        type: 'cache',
        target: '/root/.cache',
        readOnly: false,
        required: false,
        id: '/root/.cache',
        sharing: 'shared',
      },
      { type: 'secret', id: 'tok', target: '/run/secrets/tok', readOnly: true, required: false },
    ]);
    expect(runs[2]!.command).toEqual({ form: 'shell', script: 'apt-get update\n' });
    expect(runs[3]!.command).toEqual({ form: 'shell', script: 'cat <<EOF > /f\nx\nEOF' });
    expect(runs[1]!.shell).toEqual(['/bin/sh', '-c']);
  });

  it('SHELL changes the shell of later RUNs and must be JSON', () => {
    const r = ir('FROM x\nSHELL ["pwsh", "-Command"]\nRUN Get-Item\n');
    expect(only(r, 'run').shell).toEqual(['pwsh', '-Command']);
    expect(errors(ir('FROM x\nSHELL bash -c\n'))).toEqual(['SHELL requires the arguments to be in JSON form']);
  });

  it('COPY/ADD flags and inline files', () => {
    const r = ir(
      'FROM x\nADD --checksum=sha256:abc --keep-git-dir=true https://e/x.tgz /x\nCOPY --link --parents --exclude=*.md <<EOF /etc/motd\nhi $HOME\nEOF\n',
    );
    const add = only(r, 'add');
    expect([add.checksum?.value, add.keepGitDir, add.sources[0]!.value]).toEqual([
      'sha256:abc',
      true,
      'https://e/x.tgz',
    ]);
    const copy = only(r, 'copy');
    expect([copy.link, copy.parents, copy.exclude]).toEqual([true, true, ['*.md']]);
    expect(copy.inline).toEqual([{ name: 'EOF', content: 'hi \n' }]);
  });

  it('HEALTHCHECK', () => {
    const r = ir('FROM x\nHEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/\n');
    expect(only(r, 'healthcheck')).toMatchObject({
      test: ['CMD-SHELL', 'curl -f http://localhost/'],
      interval: 30e9,
      retries: 3,
      timeout: 0,
    });
    expect(errors(ir('FROM x\nHEALTHCHECK --interval=1us CMD true\n'))).toEqual([
      'Interval "interval" cannot be less than 1ms',
    ]);
    expect(errors(ir('FROM x\nHEALTHCHECK NONE\n'))).toEqual([]);
    expect(errors(ir('FROM x\nHEALTHCHECK FOO bar\n'))).toEqual(['Unknown type "FOO" in HEALTHCHECK (try CMD)']);
  });

  it('ONBUILD keeps its trigger as text', () => {
    const r = ir('FROM x\nONBUILD RUN <<EOF\necho hi\nEOF\n');
    expect(only(r, 'onbuild')).toMatchObject({ triggerKeyword: 'RUN', expression: 'RUN <<EOF\necho hi\nEOF' });
    expect(errors(ir('FROM x\nONBUILD FROM y\n'))).toEqual(["FROM isn't allowed as an ONBUILD trigger"]);
  });

  it.each([
    [
      'FROM x\nCOPY a\n',
      'COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    ],
    ['FROM x\nCOPY --chmod a b\n', 'missing a value on flag: --chmod'],
    ['FROM x\nCOPY --form=a a b\n', 'unknown flag: --form (did you mean from?)'],
    ['FROM x\nCOPY --link --link a b\n', 'duplicate flag specified: --link'],
    ['FROM x\nCOPY --link=maybe a b\n', 'expecting boolean value for flag --link, not: maybe'],
    [
      'FROM x\nCOPY --from=$X a b\n',
      'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
    ],
    ['FROM x\nRUN --network=bridge true\n', 'invalid network mode "bridge"'],
    ['FROM x\nRUN --mount=type=bnid,target=/x true\n', 'unsupported mount type "bnid" (did you mean bind?)'],
    ['FROM x\nRUN --mount=type=bind,target=/x,mode=0600 true\n', 'mode not allowed for "bind" type mounts'],
    ['FROM x\nWORKDIR\n', 'WORKDIR requires exactly one argument'],
    ['FROM x\nENV\n', 'ENV requires at least one argument'],
    ['FROM x\nSTOPSIGNAL SIGNOPE\n', 'Invalid signal: SIGNOPE'],
    ['RUN x\nFROM y\n', 'no build stage in current context'],
    ['FROM x\nCOPY <<A <<B\nx\nA\ny\nB\n', 'COPY cannot accept a heredoc as a destination'],
  ])('refuses %j', (text, message) => {
    expect(errors(ir(text))).toEqual([message]);
  });

  it('points diagnostics at the line and column', () => {
    const r = ir('FROM x\n  COPY --form=a a b\n');
    expect(r.diagnostics[0]!.range.start).toEqual({ line: 2, column: 3 });
  });
});
