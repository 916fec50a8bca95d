/**
 * chevrotain, loaded from its single-file build. The package's module tree
 * (lodash-es and friends) takes about 0.45 s to load; its bundled build about
 * 0.02 s, which is most of the start-up time of every scannable command. The
 * bundle is the same code (the package ships it in lib/), but its exports map
 * does not list it, so it is found next to the main entry.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Chevrotain from 'chevrotain';

const require = createRequire(import.meta.url);

async function loadChevrotain(): Promise<typeof Chevrotain> {
  const main = require.resolve('chevrotain');
  const bundle = path.resolve(path.dirname(main), '..', 'chevrotain.min.mjs');
  if (existsSync(bundle)) return (await import(pathToFileURL(bundle).href)) as typeof Chevrotain;
  return import('chevrotain');
}

const chevrotain = await loadChevrotain();

export const { createToken, Lexer, EmbeddedActionsParser, EOF } = chevrotain;
export type { CustomPatternMatcherFunc, IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
