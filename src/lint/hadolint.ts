/**
 * hadolint rule ids and the scannable rules that check the same thing, so
 * that a Dockerfile's existing `# hadolint ignore=DLxxxx` comments keep
 * working. Built from each rule's `hadolint` field; a hadolint id without a
 * counterpart here silences nothing.
 *
 * | hadolint | what it checks                                        | scannable rule(s) |
 * |----------|-------------------------------------------------------|-------------------|
 * | DL1000   | invalid Dockerfile                                    | DockerfileError |
 * | DL3000   | use absolute WORKDIR                                  | WorkdirRelativePath |
 * | DL3012   | multiple HEALTHCHECK instructions                     | MultipleInstructionsDisallowed |
 * | DL3024   | FROM aliases (stage names) must be unique             | DuplicateStageName |
 * | DL3025   | use JSON notation for CMD and ENTRYPOINT              | JSONArgsRecommended |
 * | DL3029   | do not use --platform with FROM                       | FromPlatformFlagConstDisallowed, RedundantTargetPlatform |
 * | DL4000   | MAINTAINER is deprecated                              | MaintainerDeprecated |
 * | DL4003   | multiple CMD instructions                             | MultipleInstructionsDisallowed |
 * | DL4004   | multiple ENTRYPOINT instructions                      | MultipleInstructionsDisallowed |
 */
import { rules } from './registry.js';

let index: Map<string, string[]> | undefined;

/** The scannable rule ids a hadolint id stands for (empty when none corresponds). */
export function rulesForHadolint(id: string): readonly string[] {
  if (!index) {
    index = new Map();
    for (const r of rules) {
      for (const h of r.hadolint ?? []) {
        const list = index.get(h) ?? [];
        list.push(r.id);
        index.set(h, list);
      }
    }
  }
  return index.get(id.toUpperCase()) ?? [];
}
