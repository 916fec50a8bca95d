/**
 * containerd's platform specifiers (github.com/containerd/platforms), as
 * BuildKit parses `FROM --platform` values: `linux/amd64`, `linux/arm/v7`,
 * `windows(10.0.17763)/amd64`, or a lone OS or architecture.
 */

export interface FullPlatform {
  os: string;
  architecture: string;
  variant: string;
  osVersion: string;
}

const SPECIFIER = /^[A-Za-z0-9_.-]+$/;
const OS_AND_VERSION = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.-]*)\))?$/;
const KNOWN_OS: ReadonlySet<string> = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'windows',
  'zos',
]);
const KNOWN_ARCH: ReadonlySet<string> = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'ppc64',
  'ppc64le',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
]);

export function normalizeOS(os: string, defaultOS = 'linux'): string {
  if (os === '') return defaultOS;
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

export function normalizeArch(arch: string, variant: string): [string, string] {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      a = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      if (v === '8' || v === 'v8' || v === 'v8.0') v = '';
      else if (v === '9' || v === '9.0' || v === 'v9.0') v = 'v9';
      break;
    case 'armhf':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
      a = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return [a, v];
}

/**
 * containerd's platforms.Parse. `host` fills what a lone OS or architecture
 * leaves open (containerd uses the machine it runs on).
 */
export function parsePlatformSpecifier(
  specifier: string,
  host: { os: string; architecture: string },
): FullPlatform | undefined {
  if (specifier.includes('*')) return undefined;
  // containerd splits into at most 4 parts, so a 4th part makes the specifier invalid.
  const parts = specifier.split('/');
  if (parts.length > 4) parts.splice(3, parts.length - 3, parts.slice(3).join('/'));
  const osVer = OS_AND_VERSION.exec(parts[0]!);
  if (!osVer) return undefined;
  for (const part of parts.slice(1)) if (!SPECIFIER.test(part)) return undefined;
  const os = normalizeOS(osVer[1]!, host.os);
  const osVersion = osVer[2] ?? '';
  switch (parts.length) {
    case 1: {
      if (KNOWN_OS.has(os)) return { os, architecture: host.architecture, variant: '', osVersion };
      let [architecture, variant] = normalizeArch(parts[0]!, '');
      if (architecture === 'arm' && variant === 'v7') variant = '';
      if (KNOWN_ARCH.has(architecture)) return { os: host.os, architecture, variant, osVersion: '' };
      return undefined;
    }
    case 2: {
      let [architecture, variant] = normalizeArch(parts[1]!, '');
      if (architecture === 'arm' && variant === 'v7') variant = '';
      return { os, architecture, variant, osVersion };
    }
    case 3: {
      let [architecture, variant] = normalizeArch(parts[1]!, parts[2]!);
      if (architecture === 'arm64' && variant === '') variant = 'v8';
      return { os, architecture, variant, osVersion };
    }
  }
  return undefined;
}

/** containerd's platforms.FormatAll of a normalised platform. */
export function formatAllPlatform(p: {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}): string {
  if (p.os === '') return 'unknown';
  const os = normalizeOS(p.os);
  const [architecture, variant] = normalizeArch(p.architecture, p.variant ?? '');
  const head = p.osVersion ? `${os}(${p.osVersion})` : os;
  return [head, architecture, variant].filter((s) => s !== '').join('/');
}
