/** scannable's linter: rules over the syntax tree, IR, plan and shell intents. */
export type {
  Finding,
  LintContext,
  LintPlan,
  LintSettings,
  Report,
  Rule,
  RuleFamily,
  RunAnalysis,
  Severity,
} from './types.js';
export { rules, ruleById, ruleIds } from './registry.js';
export { defaultAnalysis, type LintAnalysis } from './analysis.js';
export {
  lint,
  lintFile,
  ruleEnabled,
  compareFindings,
  type LintInput,
  type LintOptions,
  type LintResult,
} from './runner.js';
export {
  parseConfig,
  loadConfig,
  findConfig,
  defaultConfig,
  CONFIG_FILE,
  SEVERITY_RANK,
  type LintConfig,
  type SeveritySetting,
} from './config.js';
export { parseCheckOptions, DEFAULT_CHECK, type CheckOptions } from './check-options.js';
export { rulesForHadolint } from './hadolint.js';
export { docsUrl } from './docs-url.js';
export { lintPaths, exitStatus, formatFileError, type LintPathsOptions, type LintPathsResult } from './files.js';
export { loadDockerignore, readIgnorePatterns, IgnoreMatcher } from './dockerignore.js';
export {
  formatTty,
  formatJson,
  formatSarif,
  useColor,
  FORMATS,
  type Format,
  type TtyOptions,
  type SarifOptions,
} from './reporters/index.js';
