import { reservedStageName } from '../../../src/lint/rules/buildkit/reserved-stage-name.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(reservedStageName, {
  valid: ['\nFROM scratch\nFROM scratch AS a\n'],
  invalid: [
    {
      code: '\nFROM scratch AS scratch\nFROM scratch AS context\n',
      errors: [
        { line: 2, column: 1, message: 'Stage name should not use the same name as reserved stage "scratch"' },
        { line: 3, column: 1, message: 'Stage name should not use the same name as reserved stage "context"' },
      ],
    },
  ],
});
