export { buildIR, type IROptions } from './build.js';
export { defaultPlatform, formatPlatform, parsePlatform } from './platform.js';
export { scopeLookup } from './scope.js';
export type * from './types.js';
export { irToJSON } from './json.js';
export { parseImageReference, formatReference, familiarReference, type ImageReference } from './reference.js';
