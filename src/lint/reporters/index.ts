export { formatTty, useColor, type TtyOptions } from './tty.js';
export { formatJson } from './json.js';
export { formatSarif, type SarifOptions } from './sarif.js';

export const FORMATS = ['tty', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];
