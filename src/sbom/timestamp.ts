/**
 * Where a rebuild's SBOM differs from the last one: metadata.timestamp, near
 * the top of the document as cyclonedx.ts writes it. Group 1 is everything up
 * to the value, group 2 the value. The validator's memo and the document memo
 * both find it through `timestampIn`.
 */
const TIMESTAMP_HEAD =
  /^(\{\s*"\$schema":\s*"[^"]*",\s*"bomFormat":\s*"CycloneDX",\s*"specVersion":\s*"1\.6",\s*"version":\s*\d+,\s*"serialNumber":\s*"[^"]*",\s*"metadata":\s*\{\s*"timestamp":\s*")(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z)"/;

/** The document's metadata.timestamp, and the document with something else in its place; undefined when its head is not as cyclonedx.ts writes it. */
export function timestampIn(json: string): { value: string; replacedBy(text: string): string } | undefined {
  const m = TIMESTAMP_HEAD.exec(json.slice(0, 1024));
  if (!m) return undefined;
  return { value: m[2]!, replacedBy: (text) => m[1] + text + json.slice(m[0].length - 1) };
}
