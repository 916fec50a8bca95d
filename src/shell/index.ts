/**
 * Static analysis of RUN scripts: the simple commands a script runs, with
 * their words resolved against the variables in scope, and the intents read
 * from them (packages installed, downloads, verifications, extractions,
 * builds, clones, opaque steps).
 */
export { analyzeScript, type AnalyzeOptions } from './analyze.js';
export { runScript, type RunScript } from './run.js';
export { EMPTY_SCOPE, scopeOf, known, UNKNOWN, type VariableScope, type VariableValue } from './scope.js';
export { UNKNOWN_PIECE } from './expand.js';
export { removedByScript } from './intents/builds.js';
export type {
  BuildIntent,
  CloneIntent,
  DownloadIntent,
  ExtractIntent,
  Intent,
  OpaqueIntent,
  PackageDatabaseRemovalIntent,
  PackageInstallIntent,
  PackageListSource,
  PackageManager,
  PackageRef,
  ResolvedAssignment,
  ResolvedRedirect,
  ResolvedWord,
  ScriptAnalysis,
  ShellCommand,
  ShellDiagnostic,
  VerifyIntent,
} from './types.js';
