import { noEmptyContinuation } from '../../../src/lint/rules/buildkit/no-empty-continuation.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(noEmptyContinuation, {
  valid: [
    'FROM scratch\nCOPY Dockerfile \\\n.\n',
    { name: 'a comment line inside a continuation is fine', code: 'FROM scratch\nRUN a \\\n# note\n  b\n' },
  ],
  invalid: [
    {
      code: '\nFROM scratch\n# warning: empty continuation line\nCOPY Dockerfile \\\n\n.\nCOPY Dockerfile \\\n.\n',
      errors: [{ line: 6, column: 1, message: 'Empty continuation line' }],
    },
  ],
});
