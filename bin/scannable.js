#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli, compiled to dist/ and bundled into dist/bundle (`npm ci` /
// `npm run build`): one module graph of a few files loads ~80 ms faster than the ~150 files it is
// made of (Node resolves, reads and links each ES module on its own).
import { main } from '../dist/bundle/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // main() turns every expected failure into a message; this is the last guard.
    process.stderr.write(`scannable: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
