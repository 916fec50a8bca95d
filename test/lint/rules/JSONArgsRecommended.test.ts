import { jsonArgsRecommended } from '../../../src/lint/rules/buildkit/json-args-recommended.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(jsonArgsRecommended, {
  valid: [
    'FROM scratch\nCMD ["mycommand"]\nENTRYPOINT ["/bin/app", "--serve"]\n',
    'FROM scratch\nSHELL ["/usr/bin/customshell"]\nCMD mycommand\n',
    'FROM scratch\nSHELL ["/usr/bin/customshell"]\nENTRYPOINT mycommand\n',
    'FROM scratch AS base\nSHELL ["/usr/bin/customshell"]\n\nFROM base\nCMD mycommand\n',
    'FROM scratch AS base\nSHELL ["/usr/bin/customshell"]\n\nFROM base\nENTRYPOINT mycommand\n',
  ],
  invalid: [
    {
      code: '\nFROM scratch\nCMD mycommand\n',
      errors: [
        {
          line: 3,
          column: 1,
          message: 'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
        },
      ],
    },
    {
      code: '\nFROM scratch\nENTRYPOINT mycommand\n',
      errors: [
        {
          line: 3,
          column: 1,
          message: 'JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals',
        },
      ],
    },
    {
      name: 'the keyword as written',
      code: 'FROM scratch\n  cmd run \\\n   --fast\n',
      errors: [
        {
          line: 2,
          column: 3,
          endLine: 3,
          message: 'JSON arguments recommended for cmd to prevent unintended behavior related to OS signals',
        },
      ],
    },
    {
      name: 'a SHELL in another, unrelated stage does not count',
      code: 'FROM scratch AS a\nSHELL ["/bin/bash", "-c"]\nFROM scratch\nCMD run\n',
      errors: [
        {
          line: 4,
          column: 1,
          message: 'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
        },
      ],
    },
  ],
});
