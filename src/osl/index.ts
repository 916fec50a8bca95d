/**
 * The attribution (OSL) file: SBOM in, a document to ship with the image out.
 * `scannable osl` is `renderAttribution(buildAttribution(loadSbom(file)), format)`.
 */
import type { Attribution } from './model.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import { renderText } from './render-text.js';

export { buildAttribution, expressionOf } from './model.js';
export type {
  Attribution,
  AttributedComponent,
  LicenseGroup,
  LicenseTextEntry,
  LicenseTextVariant,
  TextSource,
  UnattributedStep,
  UnknownLicense,
} from './model.js';
export { loadSbom, parseSbom, SbomError, SUPPORTED_SPEC_VERSIONS } from './sbom.js';
export type { LicenseChoice, LicenseTextEvidence, Occurrence, Sbom, SbomComponent, SbomStep } from './sbom.js';
export { htmlEscape } from './render-html.js';
export { mdEscape } from './render-markdown.js';
export { renderHtml, renderMarkdown, renderText };

export const OSL_FORMATS = ['text', 'markdown', 'html'] as const;
export type OslFormat = (typeof OSL_FORMATS)[number];

export function renderAttribution(a: Attribution, format: OslFormat): string {
  switch (format) {
    case 'text':
      return renderText(a);
    case 'markdown':
      return renderMarkdown(a);
    case 'html':
      return renderHtml(a);
  }
}
