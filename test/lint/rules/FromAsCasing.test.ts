import { fromAsCasing } from '../../../src/lint/rules/buildkit/from-as-casing.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(fromAsCasing, {
  valid: [
    'FROM scratch AS base3\n',
    'from scratch as base2\n',
    { name: 'mixed-case FROM is left to ConsistentInstructionCasing', code: 'From scratch as base\n' },
  ],
  invalid: [
    {
      code: '#\nFROM scratch as base2\n',
      errors: [{ line: 2, column: 1, message: "'as' and 'FROM' keywords' casing do not match" }],
    },
    {
      code: 'from scratch AS base\n',
      errors: [{ line: 1, column: 1, message: "'AS' and 'from' keywords' casing do not match" }],
    },
    {
      code: 'FROM scratch As base\n',
      errors: [{ line: 1, column: 1, message: "'As' and 'FROM' keywords' casing do not match" }],
    },
  ],
});
