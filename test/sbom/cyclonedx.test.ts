import { describe, expect, it } from 'vitest';
import { provenanceToCycloneDX, serialNumberFor, validateCycloneDX } from '../../src/sbom/cyclonedx.js';
import { sampleProvenance } from '../helpers/provenance.js';

type Json = Record<string, any>;

describe('CycloneDX 1.6 SBOM', () => {
  const doc = provenanceToCycloneDX(sampleProvenance()) as Json;
  const byRef = (ref: string): Json => doc.components.find((c: Json) => c['bom-ref'] === ref);

  it('validates against the official 1.6 schema', async () => {
    expect(await validateCycloneDX(doc)).toBeNull();
  });

  it('is deterministic', () => {
    expect(JSON.stringify(provenanceToCycloneDX(sampleProvenance()))).toBe(JSON.stringify(doc));
    expect(doc.serialNumber).toBe(serialNumberFor('sha256:' + '9'.repeat(64), 'd'.repeat(64)));
    expect(doc.metadata.timestamp).toBe('2024-01-01T00:00:00.000Z');
  });

  it('describes the image with its coverage', () => {
    expect(doc.metadata.component).toMatchObject({ type: 'container', name: 'example:latest', 'bom-ref': 'image' });
    expect(doc.metadata.component.purl).toBe(`pkg:oci/example@sha256%3A${'9'.repeat(64)}?tag=latest`);
    const props = Object.fromEntries(doc.metadata.component.properties.map((p: Json) => [p.name, p.value]));
    expect(props['scannable:coverage']).toBe((6 / 7).toFixed(4));
    expect(props['scannable:files:unattributed']).toBe('1');
  });

  it('lists packages with licenses, the installing step and their files', () => {
    const jq = byRef('pkg:deb/debian/jq@1.6-2.1?arch=amd64&distro=debian-12');
    expect(jq.licenses).toEqual([{ expression: 'MIT AND CC-BY-3.0' }]);
    expect(jq.evidence.occurrences).toEqual([{ location: '/usr/bin/jq' }]);
    expect(jq.evidence.licenses).toEqual([
      {
        license: {
          id: 'MIT',
          text: { contentType: 'text/plain', content: 'Permission is hereby granted, free of charge, ...' },
          properties: [
            { name: 'scannable:license-text-path', value: '/usr/share/doc/jq/copyright' },
            { name: 'scannable:license-text-id', value: 'MIT' },
          ],
        },
      },
    ]);
    const props = Object.fromEntries(jq.properties.map((p: Json) => [p.name, p.value]));
    expect(props).toMatchObject({ 'scannable:origin': 'package', 'scannable:step': 's1.2', 'scannable:line': '6' });
    expect(byRef('pkg:deb/debian/libjq1@1.6-2.1?arch=amd64&distro=debian-12').licenses).toEqual([
      { license: { id: 'MIT' } },
    ]);
    expect(jq.dependsOn ?? doc.dependencies.find((d: Json) => d.ref === jq['bom-ref']).dependsOn).toEqual([
      'pkg:deb/debian/libjq1@1.6-2.1?arch=amd64&distro=debian-12',
    ]);
  });

  it('traces a stage copy back to the context archive it was unpacked from', () => {
    const tgz = byRef('file:context:linux-rc/concourse-7.99.0-linux-amd64.tgz');
    expect(tgz.hashes).toEqual([{ alg: 'SHA-256', content: 'c'.repeat(64) }]);
    expect(tgz.evidence.occurrences[0].location).toBe('/usr/local/concourse/bin/concourse');
    expect(tgz.evidence.occurrences[0].additionalContext).toContain('member concourse/bin/concourse');
    expect(tgz.evidence.occurrences[0].additionalContext).toContain('copied from stage assets');
  });

  it('records unattributed files with their step, and marks the composition incomplete', () => {
    const un = byRef('file:unattributed:s1.5');
    expect(un.evidence.occurrences).toEqual([
      { location: '/usr/local/bin/tool', additionalContext: `sha256:${'a'.repeat(64)}` },
    ]);
    expect(doc.compositions).toEqual([
      { 'bom-ref': 'composition:image', aggregate: 'incomplete', assemblies: ['image'] },
    ]);
  });

  it('has a formulation with one task per stage and one step per instruction', () => {
    const wf = doc.formulation[0].workflows[0];
    expect(wf.tasks.map((t: Json) => t.name)).toEqual(['stage 0 (assets)', 'stage 1']);
    expect(wf.tasks[1].steps.map((s: Json) => s.description)).toEqual([
      'Dockerfile:6',
      'Dockerfile:7',
      'Dockerfile:8',
      'Dockerfile:9',
    ]);
    expect(wf.taskDependencies).toEqual([{ ref: 'task:stage-1', dependsOn: ['task:stage-0'] }]);
  });
});

describe('the cached schema validator', () => {
  it('agrees with the library validator on valid and invalid documents', async () => {
    const { startValidator } = await import('../../src/sbom/validate.js');
    const v = startValidator(undefined);
    try {
      const good = provenanceToCycloneDX(sampleProvenance());
      expect(await v.validate(JSON.stringify(good))).toBeNull();
      const bad = { ...good, components: [{ type: 'nonsense', name: 'x' }] };
      expect(await v.validate(JSON.stringify(bad))).not.toBeNull();
      expect(await validateCycloneDX(bad)).not.toBeNull();
      const badDate = { ...good, metadata: { ...(good.metadata as object), timestamp: 'yesterday' } };
      expect(await v.validate(JSON.stringify(badDate))).not.toBeNull();
      expect(await validateCycloneDX(badDate)).not.toBeNull();
    } finally {
      await v.close();
    }
  });
});
