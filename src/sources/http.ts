/**
 * HTTP for source locations: small JSON/text look-ups and verified downloads.
 * A download goes to a temporary file beside its destination, is hashed while
 * it streams, and is renamed into place only when its digest matches, so a
 * failed or interrupted download never leaves a file that looks complete.
 * Timeouts are idle timeouts: they fire when no byte arrives for that long,
 * so a large but steady download is not cut off.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';

export const USER_AGENT = 'scannable (source fetcher)';

/** A failure to get a URL, with a message fit for the manifest. */
export class FetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface HttpOptions {
  /** Abort when no data arrives for this long (ms). */
  timeoutMs: number;
}

/** What a downloaded file must hash to. `sha512` is hex; `h1` (Go) is checked by the caller. */
export interface Expected {
  sha256?: string;
  sha512?: string;
  size?: number;
}

export interface Downloaded {
  size: number;
  sha256: string;
  sha512: string;
  /** Which expected digests were checked (empty when nothing was known to check against). */
  verified: Array<'sha256' | 'sha512' | 'size'>;
}

/** Turns fetch's generic "fetch failed" into the underlying cause (ENOTFOUND host, ECONNREFUSED...). */
export function describeError(e: unknown, url: string, timeoutMs?: number): string {
  if (e instanceof FetchError) return e.message;
  const err = e as Error & { cause?: { code?: string; message?: string; hostname?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError')
    return `timed out: no data from ${hostOf(url)} for ${((timeoutMs ?? 0) / 1000).toFixed(1)} s`;
  const cause = err?.cause;
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN')
    return `network error: cannot resolve host ${cause.hostname ?? hostOf(url)} (${cause.code})`;
  if (cause?.code) return `network error: ${cause.code} ${cause.message ?? ''}`.trim();
  if (cause?.message) return `network error: ${cause.message}`;
  return `network error: ${err?.message ?? String(e)}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** fetch with an idle timeout covering the headers and every chunk of the body. */
async function open_(
  url: string,
  opts: HttpOptions,
): Promise<{ res: Response; body: AsyncIterable<Uint8Array>; done: () => void }> {
  const ctrl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    const t = new Error('timed out');
    t.name = 'TimeoutError';
    timer = setTimeout(() => ctrl.abort(t), opts.timeoutMs);
  };
  arm();
  let res: Response;
  try {
    res = await fetch(url, { signal: ctrl.signal, redirect: 'follow', headers: { 'user-agent': USER_AGENT } });
  } catch (e) {
    clearTimeout(timer);
    throw new FetchError(describeError(ctrl.signal.aborted ? ctrl.signal.reason : e, url, opts.timeoutMs));
  }
  if (!res.ok) {
    clearTimeout(timer);
    await res.body?.cancel().catch(() => undefined);
    throw new FetchError(`HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''} from ${url}`);
  }
  const reader = res.body?.getReader();
  const body: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      if (!reader) return;
      try {
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (e) {
            throw new FetchError(describeError(ctrl.signal.aborted ? ctrl.signal.reason : e, url, opts.timeoutMs));
          }
          if (chunk.done) return;
          arm();
          yield chunk.value;
        }
      } finally {
        clearTimeout(timer);
        reader.releaseLock();
      }
    },
  };
  return { res, body, done: () => clearTimeout(timer) };
}

/** GETs a URL into memory (for indices and registry documents). */
export async function getBytes(url: string, opts: HttpOptions & { maxBytes?: number }): Promise<Buffer> {
  const { body } = await open_(url, opts);
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (opts.maxBytes !== undefined && n > opts.maxBytes)
      throw new FetchError(`${url} is larger than ${opts.maxBytes} bytes`);
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

export async function getJson(url: string, opts: HttpOptions): Promise<unknown> {
  const buf = await getBytes(url, { ...opts, maxBytes: 64 << 20 });
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new FetchError(`${url} did not answer with JSON`);
  }
}

/**
 * Downloads `url` to `dest`, verifying what `expected` states. On any failure
 * the temporary file is removed and nothing is left at `dest`.
 */
export async function download(
  url: string,
  dest: string,
  opts: HttpOptions & {
    expected?: Expected;
    /** A further check of the complete temporary file before it is renamed into place; throws to reject it. */ verify?: (
      file: string,
    ) => void;
  },
): Promise<Downloaded> {
  mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.part`);
  const fh = await open(tmp, 'wx');
  let closed = false;
  try {
    const { body } = await open_(url, opts);
    const h256 = createHash('sha256');
    const h512 = createHash('sha512');
    let size = 0;
    for await (const chunk of body) {
      h256.update(chunk);
      h512.update(chunk);
      size += chunk.length;
      await fh.write(chunk);
    }
    await fh.close();
    closed = true;
    const got = { size, sha256: h256.digest('hex'), sha512: h512.digest('hex') };
    const verified = checkExpected(got, opts.expected, url);
    opts.verify?.(tmp);
    renameSync(tmp, dest);
    return { ...got, verified };
  } catch (e) {
    if (!closed) await fh.close().catch(() => undefined);
    rmSync(tmp, { force: true });
    throw e instanceof FetchError ? e : new FetchError(describeError(e, url, opts.timeoutMs));
  }
}

/** Compares digests; throws FetchError on a mismatch; returns what was checked. */
export function checkExpected(
  got: { size: number; sha256: string; sha512: string },
  expected: Expected | undefined,
  what: string,
): Downloaded['verified'] {
  const verified: Downloaded['verified'] = [];
  if (!expected) return verified;
  if (expected.size !== undefined) {
    if (expected.size !== got.size)
      throw new FetchError(`size mismatch for ${what}: expected ${expected.size} bytes, got ${got.size}`);
    verified.push('size');
  }
  if (expected.sha256 !== undefined) {
    if (expected.sha256.toLowerCase() !== got.sha256)
      throw new FetchError(`sha256 mismatch for ${what}: expected ${expected.sha256.toLowerCase()}, got ${got.sha256}`);
    verified.push('sha256');
  }
  if (expected.sha512 !== undefined) {
    if (expected.sha512.toLowerCase() !== got.sha512)
      throw new FetchError(`sha512 mismatch for ${what}: expected ${expected.sha512.toLowerCase()}, got ${got.sha512}`);
    verified.push('sha512');
  }
  return verified;
}
