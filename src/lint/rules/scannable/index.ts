/** scannable's provenance rules (SCN101-SCN110), one module each. */
import type { Rule } from '../../types.js';
import { addUrlWithoutChecksum } from './add-url-without-checksum.js';
import { buildFromUntracedSources } from './build-from-untraced-sources.js';
import { downloadPipedToInterpreter } from './download-piped-to-interpreter.js';
import { opaqueScript } from './opaque-script.js';
import { packageDatabaseRemoved } from './package-database-removed.js';
import { packageFromLocalFile } from './package-from-local-file.js';
import { unknownPackageList } from './unknown-package-list.js';
import { unpinnedGitSource } from './unpinned-git-source.js';
import { unpinnedImage } from './unpinned-image.js';
import { unverifiedDownload } from './unverified-download.js';

export const scannableRules: readonly Rule[] = [
  downloadPipedToInterpreter,
  unverifiedDownload,
  addUrlWithoutChecksum,
  buildFromUntracedSources,
  opaqueScript,
  packageFromLocalFile,
  unpinnedGitSource,
  unpinnedImage,
  unknownPackageList,
  packageDatabaseRemoved,
];
