/**
 * dpkg: the status database (/var/lib/dpkg/status, or distroless-style
 * /var/lib/dpkg/status.d/<pkg> with <pkg>.md5sums beside it), each package's
 * file list (info/<pkg>[:<arch>].list) and digests (info/<pkg>[:<arch>].md5sums),
 * and its copyright file (/usr/share/doc/<pkg>/copyright, DEP-5 or free-form).
 */
import type { FileEntry, SnapshotFs } from '../../snapshot/fs.js';
import { fieldText, fieldValue, parseDeb822, relationshipNames } from '../deb822.js';
import { parseDebianCopyright } from '../licenses/dep5.js';
import { licenseRef } from '../licenses/spdx.js';
import { newPackage, type Package } from '../package.js';
import { debPurl } from '../purl.js';
import type { Cataloger, ParseResult, Problem } from './types.js';
import { MiB, osRelease, readParsed, readText } from './util.js';

const INFO_DIR = '/var/lib/dpkg/info';

/** The vendor for deb purls: the os-release ID, else "debian" (dpkg's own distribution). */
function debVendor(fs: SnapshotFs): { vendor: string; distro?: string } {
  const os = osRelease(fs);
  return { vendor: os.id ?? 'debian', distro: os.distro };
}

/** Lines of a dpkg .list file: absolute paths, "/." (the root) left out. */
export function parseDpkgList(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const p = line.replace(/\r$/, '');
    if (p === '' || p === '/.') continue;
    out.push(p.startsWith('/') ? p : '/' + p);
  }
  return out;
}

/** A .md5sums file: "<32 hex>  <path relative to />" per line. */
export function parseMd5sums(text: string): { digests: Record<string, string>; bad: number } {
  const digests: Record<string, string> = {};
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([0-9a-fA-F]{32}) [ *]?(.+)$/.exec(line.replace(/\r$/, ''));
    if (!m) {
      bad++;
      continue;
    }
    const p = m[2]!.startsWith('/') ? m[2]! : '/' + m[2]!;
    digests[p] = 'md5:' + m[1]!.toLowerCase();
  }
  return { digests, bad };
}

/** Licenses, texts and copyrights from /usr/share/doc/<name>/copyright. */
function attachCopyright(pkg: Package, fs: SnapshotFs, problems: Problem[]): void {
  const where = `/usr/share/doc/${pkg.name}/copyright`;
  const path = fs.resolve(where);
  // Parsed once per copyright file of a layer: the base image's, while a RUN runs, serve the final image too.
  const r =
    path === undefined
      ? undefined
      : readParsed(fs, path, 16 * MiB, 'dpkg.copyright', (text) => ({ text, info: parseDebianCopyright(text, path) }));
  if (path === undefined || !r?.ok) {
    if (r && !r.ok) problems.push(r.problem);
    pkg.licenseUnknownReason = `no readable copyright file at ${where}`;
    return;
  }
  const { text, info } = r.value;
  pkg.evidencePaths.push(path);
  for (const p of info.problems.slice(0, 5)) problems.push({ path, reason: `copyright: ${p}` });
  pkg.licenses = [...info.licenses];
  pkg.licenseTexts = [...info.texts];
  pkg.copyrights = [...info.copyrights];
  pkg.properties['copyright-format'] = info.dep5 ? 'dep5' : 'free-form';
  if (info.expression) pkg.licenseExpression = info.expression;
  else if (!info.dep5 && text.trim()) {
    // A free-form file naming no known license states the terms itself: the file is the license
    // text (SPDX's LicenseRef with extracted text), printed whole in the attribution file.
    const id = licenseRef(`debian-copyright-${pkg.name}`);
    pkg.licenseExpression = id;
    pkg.licenses = [
      {
        expression: id,
        original: 'terms stated in the copyright file itself',
        path,
        field: 'free-form text',
        confidence: 'weak',
      },
    ];
    pkg.licenseTexts = [...pkg.licenseTexts, { id, name: `${pkg.name} copyright file`, text, path }];
  } else {
    pkg.licenseUnknownReason = info.dep5 ? `${path} declares no License field` : `${path} is empty`;
  }
}

function parseSource(value: string | undefined, name: string, version: string | undefined): Package['source'] {
  // Debian policy: without a Source field the source package has the binary's name and version.
  if (!value) return { name, version };
  const m = /^(\S+)(?:\s*\(([^)]+)\))?/.exec(value.trim());
  if (!m) return { name, version };
  return { name: m[1]!, version: m[2]?.trim() ?? version };
}

/** Parse one status file (the full database or one status.d entry). */
export function parseDpkgStatus(file: FileEntry, fs: SnapshotFs): ParseResult {
  const problems: Problem[] = [];
  const packages: Package[] = [];
  const statusD = file.path.startsWith('/var/lib/dpkg/status.d/');
  // status.d keeps digests beside each entry; those files are not entries themselves.
  if (statusD && /\.(md5sums|list|conffiles|preinst|postinst|prerm|postrm)$/.test(file.path)) {
    return { packages, problems };
  }
  // Remembered with its layer: a base image's database, parsed while a long RUN runs (warmCatalog), is not parsed again.
  const r = readParsed(fs, file.path, 256 * MiB, 'deb822', parseDeb822);
  if (!r.ok) return { packages, problems: [r.problem] };
  const parsed = r.value;
  for (const p of parsed.problems) problems.push({ path: file.path, reason: `line ${p.line}: ${p.reason}` });
  const { vendor, distro } = debVendor(fs);
  const seen = new Set<string>();

  for (const para of parsed.paragraphs) {
    const name = fieldValue(para, 'Package');
    if (!name) {
      problems.push({ path: file.path, reason: `line ${para.line}: paragraph without a Package field` });
      continue;
    }
    const status = fieldValue(para, 'Status');
    // Only installed packages are in the image; "deinstall ok config-files" left conffiles only.
    if (status !== undefined && !/\binstalled$/.test(status)) continue;
    const version = fieldValue(para, 'Version');
    const arch = fieldValue(para, 'Architecture');
    const key = `${name}:${arch ?? ''}`;
    if (seen.has(key)) {
      problems.push({
        path: file.path,
        reason: `line ${para.line}: package ${key} listed twice; the first entry is kept`,
      });
      continue;
    }
    seen.add(key);
    if (!version) problems.push({ path: file.path, reason: `line ${para.line}: package ${name} has no Version` });

    const pkg = newPackage({
      ecosystem: 'deb',
      name,
      version,
      arch,
      purl: debPurl({ vendor, name, version, arch, distro }),
      metadataPath: file.path,
      supplier: fieldValue(para, 'Maintainer'),
      homepage: fieldValue(para, 'Homepage'),
      source: parseSource(fieldValue(para, 'Source'), name, version),
      dependencies: relationshipNames(
        [fieldText(para, 'Pre-Depends'), fieldText(para, 'Depends')].filter(Boolean).join(','),
      ),
    });
    for (const f of ['Multi-Arch', 'Essential', 'Priority', 'Section', 'Installed-Size']) {
      const v = fieldValue(para, f);
      if (v) pkg.properties[f.toLowerCase()] = v;
    }

    if (statusD) {
      const sums = `${file.path}.md5sums`;
      const s = readText(fs, sums, 64 * MiB);
      if (s.ok) {
        const { digests, bad } = parseMd5sums(s.value);
        if (bad) problems.push({ path: sums, reason: `${bad} malformed line(s)` });
        pkg.fileDigests = digests;
        pkg.files = Object.keys(digests);
        pkg.evidencePaths.push(sums);
      }
    } else {
      // Multi-Arch: same packages have arch-qualified info files.
      const stems = arch ? [`${name}:${arch}`, name] : [name];
      for (const stem of stems) {
        const listPath = `${INFO_DIR}/${stem}.list`;
        if (!fs.stat(listPath)) continue;
        const l = readParsed(fs, listPath, 64 * MiB, 'dpkg.list', parseDpkgList);
        if (!l.ok) {
          problems.push(l.problem);
          break;
        }
        pkg.files = [...l.value];
        pkg.evidencePaths.push(listPath);
        const sumsPath = `${INFO_DIR}/${stem}.md5sums`;
        if (fs.stat(sumsPath)) {
          const s = readParsed(fs, sumsPath, 64 * MiB, 'dpkg.md5sums', parseMd5sums);
          if (s.ok) {
            const { digests, bad } = s.value;
            if (bad) problems.push({ path: sumsPath, reason: `${bad} malformed line(s)` });
            pkg.fileDigests = { ...digests };
            pkg.evidencePaths.push(sumsPath);
          } else problems.push(s.problem);
        }
        break;
      }
    }
    attachCopyright(pkg, fs, problems);
    packages.push(pkg);
  }
  return { packages, problems };
}

export const dpkgCataloger: Cataloger = {
  name: 'dpkg',
  globs: ['/var/lib/dpkg/status', '/var/lib/dpkg/status.d/*'],
  parse: parseDpkgStatus,
};
