import { stageNameCasing } from '../../../src/lint/rules/buildkit/stage-name-casing.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(stageNameCasing, {
  valid: ['FROM scratch AS base3\n', 'FROM scratch\n'],
  invalid: [
    {
      code: '\n# warning: stage name should be lowercase\n#\nFROM scratch AS BadStageName\n',
      errors: [{ line: 4, column: 1, message: "Stage name 'BadStageName' should be lowercase" }],
    },
  ],
});
