import { maintainerDeprecated } from '../../../src/lint/rules/buildkit/maintainer-deprecated.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(maintainerDeprecated, {
  valid: ['\nFROM scratch\nLABEL org.opencontainers.image.authors="me@example.org"\n'],
  invalid: [
    {
      code: '\nFROM scratch\nMAINTAINER me@example.org\n',
      errors: [{ line: 3, column: 1, message: 'Maintainer instruction is deprecated in favor of using label' }],
    },
    {
      code: '\nFROM scratch AS BadStageName\nmaintainer me@example.org\nBADCMD\n',
      errors: [{ line: 3, column: 1, message: 'Maintainer instruction is deprecated in favor of using label' }],
    },
  ],
});
