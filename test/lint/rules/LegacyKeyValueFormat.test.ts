import { legacyKeyValueFormat } from '../../../src/lint/rules/buildkit/legacy-key-value-format.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(legacyKeyValueFormat, {
  valid: ['FROM scratch\nENV testkey=value\nLABEL key=value\n', 'FROM scratch\nENV a=1 b="two words"\n'],
  invalid: [
    {
      code: '\nFROM scratch\nENV testkey value\nLABEL key value\n',
      errors: [
        { line: 3, column: 1, message: '"ENV key=value" should be used instead of legacy "ENV key value" format' },
        { line: 4, column: 1, message: '"LABEL key=value" should be used instead of legacy "LABEL key value" format' },
      ],
    },
    {
      name: 'in a stage that is not the target, spanning lines',
      code: 'FROM scratch AS a\n\nFROM a AS b\nenv PATHS /a \\\n  /b\n\nFROM a AS c\n',
      errors: [
        {
          line: 4,
          column: 1,
          endLine: 5,
          message: '"env key=value" should be used instead of legacy "env key value" format',
        },
      ],
    },
  ],
});
