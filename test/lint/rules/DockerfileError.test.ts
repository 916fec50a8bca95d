import { dockerfileError } from '../../../src/lint/rules/core/dockerfile-error.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(dockerfileError, {
  valid: ['FROM alpine\nRUN true\n', '# check=skip=all;error=true\nFROM alpine\n'],
  invalid: [
    { code: 'FROM alpine\nBADCMD x\n', errors: [{ line: 2, column: 1, message: 'unknown instruction: BADCMD' }] },
    { code: 'RUN true\nFROM alpine\n', errors: [{ line: 1, column: 1, message: 'no build stage in current context' }] },
    {
      code: 'ARG IMG\nFROM ${IMG}\n',
      errors: [{ line: 2, column: 1, message: 'base name (${IMG}) should not be blank' }],
    },
    {
      code: 'FROM alpine\nCOPY --chmod 644 a /a\n',
      errors: [{ line: 2, column: 1, message: 'missing a value on flag: --chmod' }],
    },
    {
      name: 'a malformed check directive',
      code: '# check=skip\nFROM alpine\n',
      errors: [{ line: 1, column: 1, message: 'failed to parse check options: invalid check option "skip"' }],
    },
    {
      code: '# check=error=maybe\nFROM alpine\n',
      errors: [
        {
          line: 1,
          column: 1,
          message:
            'failed to parse check options: failed to parse check option "error=maybe": strconv.ParseBool: parsing "maybe": invalid syntax',
        },
      ],
    },
  ],
});
