export { lower, isGitSource, isUrl, joinWorkdir, splitGitFragment, type LowerOptions } from './lower.js';
export { analyzeRun, type RunAnalysis } from './analysis.js';
export type * from './types.js';
