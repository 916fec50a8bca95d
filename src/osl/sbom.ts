/**
 * Reading a CycloneDX SBOM for the attribution file and the source list: a
 * typed, read-only view of the parts we consume. The document is checked for
 * what we rely on (JSON, CycloneDX, spec 1.6, the shape of the fields we read);
 * everything else in it is ignored, so an SBOM from another tool that follows
 * the schema still loads.
 */
import { readFileSync } from 'node:fs';

export const SUPPORTED_SPEC_VERSIONS = ['1.6'] as const;

/** A problem with the SBOM file itself; the message names the file. */
export class SbomError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SbomError';
  }
}

export interface Occurrence {
  location: string;
  additionalContext?: string;
}

/** A license text the image carried, as recorded in `evidence.licenses`. */
export interface LicenseTextEvidence {
  /** SPDX id, or the name the source used. */
  idOrName: string;
  /** The id the text serves (`scannable:license-text-id`), else the SPDX id. */
  textId: string;
  text: string;
  /** Image path the text was read from (`scannable:license-text-path`). */
  path?: string;
}

/** One entry of `licenses`: an SPDX id, a named license, or an expression. */
export type LicenseChoice =
  { kind: 'id'; id: string } | { kind: 'name'; name: string } | { kind: 'expression'; expression: string };

export interface SbomComponent {
  ref: string;
  type: string;
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  licenses: LicenseChoice[];
  /** Copyright notices, one per line as the SBOM joined them. */
  copyrights: string[];
  supplier?: string;
  externalReferences: Array<{ type: string; url: string }>;
  hashes: Array<{ alg: string; content: string }>;
  /** Every value of every property, in document order. */
  properties: Array<{ name: string; value: string }>;
  occurrences: Occurrence[];
  licenseTexts: LicenseTextEvidence[];
}

export interface SbomStep {
  /** Plan step id (`s1.2`), taken from the step name. */
  id: string;
  /** The task (stage) this step belongs to. */
  task: string;
  name: string;
  /** `Dockerfile:LINE` or `Dockerfile:LINE-END`. */
  description?: string;
  /** The instruction as written. */
  instruction?: string;
  properties: Array<{ name: string; value: string }>;
}

export interface SbomTask {
  uid?: string;
  name: string;
  properties: Array<{ name: string; value: string }>;
}

export interface Sbom {
  /** The file it was read from (for messages and the output header). */
  file: string;
  specVersion: string;
  serialNumber?: string;
  version?: number;
  timestamp?: string;
  /** `metadata.component`: the image. */
  subject?: SbomComponent;
  /** Components of the image (nested components flattened, in document order). */
  components: SbomComponent[];
  /** Build-stage-only components (`formulation[].components`). */
  buildComponents: SbomComponent[];
  steps: SbomStep[];
  /** The workflow's tasks (one per stage), with their properties (`scannable:base`, `scannable:target`). */
  tasks: SbomTask[];
  /** `metadata.tools.components`: what wrote the SBOM. */
  tools: Array<{ name: string; version?: string }>;
  /** `dependencies`: bom-ref -> the bom-refs it depends on. */
  dependencies: Array<{ ref: string; dependsOn: string[] }>;
  /** `compositions[0].aggregate`. */
  aggregate?: string;
}

export function prop(c: { properties: Array<{ name: string; value: string }> }, name: string): string | undefined {
  return c.properties.find((p) => p.name === name)?.value;
}

export function props(c: { properties: Array<{ name: string; value: string }> }, name: string): string[] {
  return c.properties.filter((p) => p.name === name).map((p) => p.value);
}

/** Reads and checks an SBOM file; every failure is an SbomError naming the file. */
export function loadSbom(file: string): Sbom {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(code);
    throw new SbomError(`cannot read SBOM ${file}: ${why}`);
  }
  return parseSbom(text, file);
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses an SBOM from text; `file` names it in messages. */
export function parseSbom(text: string, file: string): Sbom {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new SbomError(`${file} is not JSON (${(e as Error).message}); expected a CycloneDX 1.6 JSON SBOM`);
  }
  if (!isObject(doc)) throw new SbomError(`${file} is not a CycloneDX SBOM: the document is not a JSON object`);
  if (doc.bomFormat !== 'CycloneDX') {
    throw new SbomError(
      `${file} is not a CycloneDX SBOM: bomFormat is ${JSON.stringify(doc.bomFormat ?? null)}, expected "CycloneDX"`,
    );
  }
  const spec = doc.specVersion;
  if (typeof spec !== 'string' || !(SUPPORTED_SPEC_VERSIONS as readonly string[]).includes(spec)) {
    throw new SbomError(
      `${file} is CycloneDX ${typeof spec === 'string' ? spec : '(no specVersion)'}; scannable reads CycloneDX ${SUPPORTED_SPEC_VERSIONS.join(', ')}`,
    );
  }
  const where = (path: string) => `${file}: ${path}`;
  const metadata = doc.metadata === undefined ? {} : expectObject(doc.metadata, where('metadata'));
  const components = flattenComponents(expectArray(doc.components, where('components')), where('components'));
  const formulation = expectArray(doc.formulation, where('formulation'));
  const buildComponents: SbomComponent[] = [];
  const steps: SbomStep[] = [];
  const tasks: SbomTask[] = [];
  formulation.forEach((f, i) => {
    const fo = expectObject(f, where(`formulation[${i}]`));
    buildComponents.push(
      ...flattenComponents(
        expectArray(fo.components, where(`formulation[${i}].components`)),
        where(`formulation[${i}].components`),
      ),
    );
    expectArray(fo.workflows, where(`formulation[${i}].workflows`)).forEach((w, j) => {
      const wo = expectObject(w, where(`formulation[${i}].workflows[${j}]`));
      expectArray(wo.tasks, where(`formulation[${i}].workflows[${j}].tasks`)).forEach((t, k) => {
        const at = where(`formulation[${i}].workflows[${j}].tasks[${k}]`);
        const to = expectObject(t, at);
        const task = str(to.name) ?? str(to.uid) ?? `task ${k}`;
        tasks.push({
          ...(str(to.uid) ? { uid: str(to.uid)! } : {}),
          name: task,
          properties: readProperties(to.properties, `${at}.properties`),
        });
        expectArray(to.steps, `${at}.steps`).forEach((s, l) =>
          steps.push(readStep(expectObject(s, `${at}.steps[${l}]`), task)),
        );
      });
    });
  });
  const compositions = expectArray(doc.compositions, where('compositions'));
  const first = compositions[0];
  const out: Sbom = {
    file,
    specVersion: spec,
    components,
    buildComponents,
    steps,
    tasks,
    tools: readTools(metadata.tools, where('metadata.tools')),
    dependencies: expectArray(doc.dependencies, where('dependencies')).flatMap((d, i) => {
      const dobj = expectObject(d, where(`dependencies[${i}]`));
      if (typeof dobj.ref !== 'string') throw new SbomError(where(`dependencies[${i}].ref must be a string`));
      const on = expectArray(dobj.dependsOn, where(`dependencies[${i}].dependsOn`)).filter(
        (x): x is string => typeof x === 'string',
      );
      return [{ ref: dobj.ref, dependsOn: on }];
    }),
  };
  if (typeof doc.serialNumber === 'string') out.serialNumber = doc.serialNumber;
  if (typeof doc.version === 'number') out.version = doc.version;
  if (typeof metadata.timestamp === 'string') out.timestamp = metadata.timestamp;
  if (metadata.component !== undefined)
    out.subject = readComponent(
      expectObject(metadata.component, where('metadata.component')),
      where('metadata.component'),
    );
  if (isObject(first) && typeof first.aggregate === 'string') out.aggregate = first.aggregate;
  return out;
}

/** Tools as CycloneDX 1.5+ writes them (`{components: [...]}`), or the older array of tools. */
function readTools(v: unknown, at: string): Array<{ name: string; version?: string }> {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : expectArray(expectObject(v, at).components, `${at}.components`);
  return list.flatMap((t) => {
    if (!isObject(t) || typeof t.name !== 'string') return [];
    return [{ name: t.name, ...(typeof t.version === 'string' ? { version: t.version } : {}) }];
  });
}

function expectArray(v: unknown, at: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new SbomError(`${at} must be an array`);
  return v;
}

function expectObject(v: unknown, at: string): Json {
  if (!isObject(v)) throw new SbomError(`${at} must be an object`);
  return v;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function flattenComponents(list: unknown[], at: string): SbomComponent[] {
  const out: SbomComponent[] = [];
  list.forEach((c, i) => {
    const o = expectObject(c, `${at}[${i}]`);
    out.push(readComponent(o, `${at}[${i}]`));
    out.push(...flattenComponents(expectArray(o.components, `${at}[${i}].components`), `${at}[${i}].components`));
  });
  return out;
}

function readProperties(v: unknown, at: string): Array<{ name: string; value: string }> {
  return expectArray(v, at).flatMap((p, i) => {
    const o = expectObject(p, `${at}[${i}]`);
    if (typeof o.name !== 'string') throw new SbomError(`${at}[${i}].name must be a string`);
    return [{ name: o.name, value: typeof o.value === 'string' ? o.value : '' }];
  });
}

function readComponent(o: Json, at: string): SbomComponent {
  if (typeof o.name !== 'string') throw new SbomError(`${at}.name must be a string`);
  const ref = str(o['bom-ref']) ?? str(o.purl) ?? o.name;
  const licenses: LicenseChoice[] = expectArray(o.licenses, `${at}.licenses`).flatMap((l, i): LicenseChoice[] => {
    const lo = expectObject(l, `${at}.licenses[${i}]`);
    if (typeof lo.expression === 'string') return [{ kind: 'expression', expression: lo.expression }];
    const lic = expectObject(lo.license, `${at}.licenses[${i}].license`);
    if (typeof lic.id === 'string') return [{ kind: 'id', id: lic.id }];
    if (typeof lic.name === 'string') return [{ kind: 'name', name: lic.name }];
    throw new SbomError(`${at}.licenses[${i}].license has neither id nor name`);
  });
  const evidence = o.evidence === undefined ? {} : expectObject(o.evidence, `${at}.evidence`);
  const occurrences = expectArray(evidence.occurrences, `${at}.evidence.occurrences`).flatMap((x, i) => {
    const xo = expectObject(x, `${at}.evidence.occurrences[${i}]`);
    if (typeof xo.location !== 'string')
      throw new SbomError(`${at}.evidence.occurrences[${i}].location must be a string`);
    return [
      {
        location: xo.location,
        ...(typeof xo.additionalContext === 'string' ? { additionalContext: xo.additionalContext } : {}),
      },
    ];
  });
  const licenseTexts = expectArray(evidence.licenses, `${at}.evidence.licenses`).flatMap(
    (x, i): LicenseTextEvidence[] => {
      const lat = `${at}.evidence.licenses[${i}]`;
      const xo = expectObject(x, lat);
      if (xo.license === undefined) return []; // an expression as evidence carries no text
      const lic = expectObject(xo.license, `${lat}.license`);
      const text = isObject(lic.text) ? lic.text : undefined;
      if (!text || typeof text.content !== 'string') return [];
      // Base64 texts are legal in CycloneDX; decode so they print as text.
      const content = text.encoding === 'base64' ? Buffer.from(text.content, 'base64').toString('utf8') : text.content;
      const ps = readProperties(lic.properties, `${lat}.license.properties`);
      const idOrName = str(lic.id) ?? str(lic.name);
      if (!idOrName) return [];
      const path = ps.find((p) => p.name === 'scannable:license-text-path')?.value;
      return [
        {
          idOrName,
          textId: ps.find((p) => p.name === 'scannable:license-text-id')?.value ?? idOrName,
          text: content,
          ...(path ? { path } : {}),
        },
      ];
    },
  );
  const refs = expectArray(o.externalReferences, `${at}.externalReferences`).flatMap((r, i) => {
    const ro = expectObject(r, `${at}.externalReferences[${i}]`);
    return typeof ro.url === 'string' && typeof ro.type === 'string' ? [{ type: ro.type, url: ro.url }] : [];
  });
  const hashes = expectArray(o.hashes, `${at}.hashes`).flatMap((h, i) => {
    const ho = expectObject(h, `${at}.hashes[${i}]`);
    return typeof ho.alg === 'string' && typeof ho.content === 'string' ? [{ alg: ho.alg, content: ho.content }] : [];
  });
  const supplier = isObject(o.supplier) ? str(o.supplier.name) : undefined;
  const c: SbomComponent = {
    ref,
    type: str(o.type) ?? 'library',
    name: o.name,
    licenses,
    copyrights: typeof o.copyright === 'string' ? o.copyright.split('\n').filter((l) => l.trim() !== '') : [],
    externalReferences: refs,
    hashes,
    properties: readProperties(o.properties, `${at}.properties`),
    occurrences,
    licenseTexts,
  };
  if (typeof o.group === 'string') c.group = o.group;
  if (typeof o.version === 'string') c.version = o.version;
  if (typeof o.purl === 'string') c.purl = o.purl;
  if (supplier) c.supplier = supplier;
  return c;
}

function readStep(o: Json, task: string): SbomStep {
  const name = str(o.name) ?? '';
  const commands = Array.isArray(o.commands) ? o.commands : [];
  const first = commands.find(isObject);
  const s: SbomStep = {
    id: name.split(/\s/, 1)[0] ?? name,
    task,
    name,
    properties: readProperties(o.properties, `step ${name}`),
  };
  if (typeof o.description === 'string') s.description = o.description;
  if (first && typeof first.executed === 'string') s.instruction = first.executed;
  return s;
}
