export { assignment, commandEnd, parseShell } from './parser.js';
export type { ShellParse } from './parser.js';
export { LineIndex } from './syntax.js';
export type * from './syntax.js';
