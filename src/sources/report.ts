/** Printing source locations and fetch results for people (the JSON forms are the data itself). */
import type { Manifest, ManifestEntry } from './fetch.js';
import type { SourceLocation } from './locate.js';

const KIND_LABEL: Record<SourceLocation['kind'], string> = {
  'debian-source': 'Debian source package',
  npm: 'npm package tarball',
  pypi: 'PyPI source distribution',
  gem: 'RubyGems gem',
  'go-module': 'Go module zip',
  git: 'git repository',
  context: 'build context file',
  remote: 'downloaded file',
  none: 'no source to fetch',
};

export function sizeText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function renderLocationsText(
  locations: readonly SourceLocation[],
  head: { image?: string; serialNumber?: string; mirror: string },
): string {
  const L: string[] = [];
  L.push(`Sources of ${head.image ?? 'the image'}${head.serialNumber ? ` (SBOM ${head.serialNumber})` : ''}`);
  L.push(`Debian mirror: ${head.mirror}`, '');
  for (const l of locations) {
    const title =
      l.kind === 'none'
        ? `${l.name}: ${KIND_LABEL.none}`
        : `${KIND_LABEL[l.kind]} ${l.name}${l.version ? ' ' + l.version : ''}`;
    L.push(`${l.id}`, `  ${title}${l.suite ? ` (${l.suite})` : l.codename ? ` (${l.codename})` : ''}`);
    L.push(`  for: ${l.components.join(', ')}`);
    for (const u of l.urls) if (!l.files.some((f) => f.url === u)) L.push(`  at: ${u}`);
    for (const f of l.files) {
      const digest = f.sha256
        ? `sha256:${f.sha256}`
        : f.sha512
          ? `sha512:${f.sha512.slice(0, 32)}…`
          : f.h1
            ? f.h1
            : 'no digest';
      L.push(`  file: ${f.url}${f.size !== undefined ? ` (${sizeText(f.size)})` : ''} ${digest}`);
    }
    if (l.contextPath) L.push(`  context path: ${l.contextPath}${l.sha256 ? ` sha256:${l.sha256}` : ''}`);
    if (l.repository) L.push(`  repository: ${l.repository}${l.commit ? ` commit ${l.commit}` : ''}`);
    if (l.note) L.push(`  note: ${l.note}`);
    L.push('');
  }
  const n = (k: (l: SourceLocation) => boolean): number => locations.filter(k).length;
  L.push(
    `${locations.length} sources: ${n((l) => l.resolved)} located exactly, ${n((l) => !l.resolved && l.kind !== 'none' && l.kind !== 'context')} by naming rule only, ${n((l) => l.kind === 'context')} in the build context, ${n((l) => l.kind === 'none')} without a source to fetch`,
  );
  return L.join('\n') + '\n';
}

export function entryLine(e: ManifestEntry): string {
  const size = e.files.reduce((s, f) => s + (f.size ?? 0), 0);
  if (e.status === 'ok')
    return `ok      ${e.id} (${e.files.length} file${e.files.length === 1 ? '' : 's'}, ${sizeText(size)}, verified: ${[...new Set(e.files.flatMap((f) => f.verified ?? []))].join(', ') || 'nothing to verify against'})`;
  return `${e.status.padEnd(7)} ${e.id}: ${e.reason ?? ''}`;
}

export function renderManifestSummary(m: Manifest, dir: string): string {
  const files = m.sources.flatMap((s) => s.files.filter((f) => f.path));
  const bytes = files.reduce((s, f) => s + (f.size ?? 0), 0);
  const lines = [
    `${m.summary.ok} ok, ${m.summary.failed} failed, ${m.summary.skipped} skipped; ${files.length} files (${sizeText(bytes)}) in ${dir}; manifest: ${dir}/manifest.json`,
  ];
  const failed = m.sources.filter((s) => s.status === 'failed');
  if (failed.length) lines.push('failed:', ...failed.map((e) => `  ${e.id}: ${e.reason ?? ''}`));
  return lines.join('\n') + '\n';
}
