import { fromPlatformFlagConstDisallowed } from '../../../src/lint/rules/buildkit/from-platform-flag-const-disallowed.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(fromPlatformFlagConstDisallowed, {
  valid: [
    'FROM --platform=linux/amd64 scratch AS my_amd64_stage\n',
    'FROM --platform=linux/amd64 scratch AS linux\n',
    'FROM --platform=$BUILDPLATFORM scratch\n',
    {
      name: 'a variable that expands to a constant is still a variable',
      code: 'ARG P=linux/arm64\nFROM --platform=$P scratch\n',
    },
    { name: 'an unparsable platform is a build error', code: 'FROM --platform=linux/ scratch\n' },
    {
      name: 'the normalised architecture is what the name must contain',
      code: 'FROM --platform=linux/x86_64 scratch AS amd64-build\n',
    },
  ],
  invalid: [
    {
      code: '\nFROM --platform=linux/amd64 scratch\n',
      errors: [{ line: 2, column: 1, message: 'FROM --platform flag should not use constant value "linux/amd64"' }],
    },
    {
      code: 'FROM --platform=linux/arm64/v8 alpine AS builder\n',
      errors: [{ line: 1, column: 1, message: 'FROM --platform flag should not use constant value "linux/arm64/v8"' }],
    },
  ],
});
