/** One-line summaries of intents and words, for table tests. */
import type { Intent, ResolvedWord } from '../../src/shell/index.js';

export function word(w: ResolvedWord | undefined): string {
  if (w === undefined) return '-';
  return w.resolved ? w.value! : `?${w.text}`;
}

export function summarize(i: Intent): string {
  switch (i.kind) {
    case 'PackageInstall': {
      const pkgs = i.packages.map((p) => {
        const name = p.resolved ? p.name : `?${p.name}`;
        const prefix = p.source === 'registry' ? '' : `${p.source}:`;
        return prefix + name + (p.version !== undefined ? `@${p.version}` : '');
      });
      const from = (i.from ?? []).map((f) => `from=${f.kind}${f.kind === 'input' ? '' : `:${word(f.path)}`}`);
      const flags = [
        i.global ? 'global' : '',
        i.insecure ? 'insecure' : '',
        i.listKnown ? '' : '(list not known)',
      ].filter((f) => f !== '');
      return ['install', i.manager, ...pkgs, ...from, ...flags].join(' ');
    }
    case 'Download': {
      const to = i.output
        ? word(i.output)
        : i.pipedTo !== undefined
          ? `| ${i.pipedTo}`
          : i.pipedToCommand !== undefined
            ? '| ?'
            : 'stdout';
      return `download ${i.tool} ${word(i.url)} -> ${to}${i.insecure ? ' insecure' : ''}`;
    }
    case 'Verify': {
      const parts = [`verify ${i.tool}`];
      if (i.target) parts.push(`target=${word(i.target)}`);
      if (i.checksumFile) parts.push(`list=${word(i.checksumFile)}`);
      if (i.signature) parts.push(`sig=${word(i.signature)}`);
      if (i.expected) parts.push(`expected=${i.expected}`);
      return parts.join(' ');
    }
    case 'Extract':
      return `extract ${i.tool} ${i.archive ? word(i.archive) : i.pipedFrom !== undefined ? 'pipe' : 'stdin'} -> ${i.dest ? word(i.dest) : '.'}`;
    case 'Build':
      return `build ${i.tool}${i.target !== undefined ? ` ${i.target}` : ''}`;
    case 'Clone':
      return `clone ${word(i.url)}${i.ref ? `@${word(i.ref)}` : ''}${i.pinned ? ' pinned' : ''}${i.dest ? ` -> ${word(i.dest)}` : ''}`;
    case 'Opaque':
      return `opaque: ${i.reason}`;
    case 'PackageDatabaseRemoval':
      return `remove-db ${i.database} ${word(i.path)}`;
  }
}
