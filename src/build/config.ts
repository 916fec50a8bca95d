/**
 * The image configuration a stage accumulates, instruction by instruction,
 * with the semantics of docker's builders (ENV replaces in place, ENTRYPOINT
 * resets an inherited CMD, ONBUILD appends, ...).
 */
import type { ConfigPatch } from '../lower/types.js';
import type { ImageConfig } from '../engine/types.js';

export interface StageConfig {
  config: ImageConfig;
  /** CMD was set in this stage (an ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  /** ARG values visible to RUN (not part of the image). */
  args: Map<string, string>;
  /** MAINTAINER, for the image's author field. */
  author?: string;
}

export function cloneConfig(c: ImageConfig): ImageConfig {
  return JSON.parse(JSON.stringify(c)) as ImageConfig;
}

/** Sets KEY in an env list, in place when present. */
export function setEnv(env: string[], key: string, value: string): string[] {
  const out = [...env];
  const i = out.findIndex((e) => e === key || e.startsWith(key + '='));
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

export function envValue(env: readonly string[] | undefined, key: string): string | undefined {
  for (const e of env ?? []) if (e.startsWith(key + '=')) return e.slice(key.length + 1);
  return undefined;
}

export function applyPatch(st: StageConfig, p: ConfigPatch): void {
  const c = st.config;
  for (const [k, v] of p.env ?? []) {
    c.Env = setEnv(c.Env ?? [], k, v);
    st.args.delete(k);
  }
  for (const [k, v] of p.args ?? []) if (v !== undefined) st.args.set(k, v);
  for (const [k, v] of p.labels ?? []) c.Labels = { ...(c.Labels ?? {}), [k]: v };
  if (p.user !== undefined) c.User = p.user;
  if (p.workdir !== undefined) c.WorkingDir = p.workdir;
  for (const port of p.exposedPorts ?? []) c.ExposedPorts = { ...(c.ExposedPorts ?? {}), [port]: {} };
  for (const v of p.volumes ?? []) c.Volumes = { ...(c.Volumes ?? {}), [v]: {} };
  if (p.cmd !== undefined) {
    c.Cmd = p.cmd;
    st.cmdSet = true;
  }
  if (p.entrypoint !== undefined) {
    c.Entrypoint = p.entrypoint;
    if (!st.cmdSet) c.Cmd = null;
  }
  if (p.shell) c.Shell = p.shell;
  if (p.healthcheck) {
    const h = p.healthcheck;
    c.Healthcheck = {
      Test: h.test,
      ...(h.interval ? { Interval: h.interval } : {}),
      ...(h.timeout ? { Timeout: h.timeout } : {}),
      ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
      ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
      ...(h.retries ? { Retries: h.retries } : {}),
    };
  }
  if (p.stopSignal !== undefined) c.StopSignal = p.stopSignal;
  for (const t of p.onBuild ?? []) c.OnBuild = [...(c.OnBuild ?? []), t];
  if (p.maintainer !== undefined) st.author = p.maintainer;
}

/** The environment a RUN sees: the image's Env plus ARG values the Env does not override. */
export function runEnv(st: StageConfig): string[] {
  let env = [...(st.config.Env ?? [])];
  for (const [k, v] of st.args) if (envValue(env, k) === undefined) env = setEnv(env, k, v);
  return env;
}
