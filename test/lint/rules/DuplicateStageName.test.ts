import { duplicateStageName } from '../../../src/lint/rules/buildkit/duplicate-stage-name.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(duplicateStageName, {
  valid: ['FROM scratch AS b1\nFROM scratch AS b2\n', 'FROM scratch\nFROM scratch\n'],
  invalid: [
    {
      code: '\nFROM scratch AS b\nFROM scratch AS b\n',
      errors: [{ line: 3, column: 1, message: 'Duplicate stage name "b", stage names should be unique' }],
    },
    {
      name: 'names are case-insensitive',
      code: 'FROM scratch AS build\nFROM scratch AS Build\n',
      errors: [{ line: 2, column: 1, message: 'Duplicate stage name "build", stage names should be unique' }],
    },
  ],
});
