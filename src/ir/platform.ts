/** Platforms and BuildKit's builtin platform ARGs (dockerfile2llb defaultArgs). */
import type { Platform } from './types.js';

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The machine's own platform, as containerd names it. */
export function defaultPlatform(): Platform {
  const architecture = ARCH[process.arch] ?? process.arch;
  return architecture === 'arm' ? { os: 'linux', architecture, variant: 'v7' } : { os: 'linux', architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');
}

/** `linux/amd64`, `linux/arm/v7`, `amd64` (OS defaults to linux). */
export function parsePlatform(s: string): Platform | undefined {
  const parts = s.toLowerCase().split('/');
  if (parts.some((p) => p === '') || parts.length > 3) return undefined;
  if (parts.length === 1) return { os: 'linux', architecture: parts[0]! };
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** BUILDPLATFORM, TARGETPLATFORM and friends; a build arg of the same name overrides each. */
export function builtinArgs(
  build: Platform,
  target: Platform,
  targetStage: string,
  overrides: Readonly<Record<string, string>>,
): Array<[string, string]> {
  const values: Array<[string, string]> = [
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDOSVERSION', ''],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETOSVERSION', ''],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
    ['TARGETSTAGE', targetStage === '' ? 'default' : targetStage],
  ];
  return values.map(([k, v]) => [k, Object.prototype.hasOwnProperty.call(overrides, k) ? overrides[k]! : v]);
}
