/**
 * The parts of @cyclonedx/cyclonedx-library the SBOM writer uses, by their
 * own entry points: the package's main entry also loads its validators and
 * their optional plug-ins (ajv and friends), which the writer does not need
 * (documents are validated on a worker thread; see sbom/validate.ts).
 */
export * as Enums from '@cyclonedx/cyclonedx-library/Enums';
export * as Models from '@cyclonedx/cyclonedx-library/Models';
export * as Serialize from '@cyclonedx/cyclonedx-library/Serialize';
export * as Spec from '@cyclonedx/cyclonedx-library/Spec';
