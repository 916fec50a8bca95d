import { redundantTargetPlatform } from '../../../src/lint/rules/buildkit/redundant-target-platform.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(redundantTargetPlatform, {
  valid: [
    'FROM --platform=$BUILDPLATFORM scratch\n',
    'FROM scratch\n',
    { name: 'another variable besides it', code: 'ARG V\nFROM --platform=${TARGETPLATFORM}${V} scratch\n' },
  ],
  invalid: [
    {
      code: '\nFROM --platform=$TARGETPLATFORM scratch\n',
      errors: [
        {
          line: 2,
          column: 1,
          message:
            'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
        },
      ],
    },
    {
      name: 'also when a global ARG gives it another value (it is still the target)',
      code: 'ARG TARGETPLATFORM=linux/arm64\nFROM --platform=$TARGETPLATFORM scratch\n',
      errors: [
        {
          line: 2,
          column: 1,
          message:
            'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
        },
      ],
    },
    {
      code: '\nFROM --platform=${TARGETPLATFORM} scratch\n',
      errors: [
        {
          line: 2,
          column: 1,
          message:
            'Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant as this is the default behavior',
        },
      ],
    },
  ],
});
