/** Writes that never leave a partial file behind: a temporary file beside the target, then a rename. */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from './diagnostics.js';

/** Replaces `file` with `data`: readers see the old file or the whole new one. Errors are thrown as they came. */
export function replaceFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** `replaceFileAtomic` for a file a person asked for: a failure is one UserError saying why. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  try {
    replaceFileAtomic(file, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot write ${file}: ${code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`,
    );
  }
}
