/**
 * SPDX 2.3 JSON from a scannable CycloneDX SBOM: the converter, the package
 * verification code, the checks the schema cannot make, and the image's
 * file digests for the file list.
 */
export { cycloneDxToSpdx, type ImageFile, type SpdxOptions } from './from-cyclonedx.js';
export { checkSpdx } from './check.js';
export { packageVerificationCode } from './verification-code.js';
export { openImageFiles, type ImageFiles } from './image-files.js';
export * from './types.js';
