import { invalidDefaultArgInFrom } from '../../../src/lint/rules/buildkit/invalid-default-arg-in-from.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(invalidDefaultArgInFrom, {
  valid: [
    { code: 'ARG VERSION="latest"\nFROM busybox:${VERSION}\n', buildArgs: { VERSION: 'latest' } },
    {
      code: 'ARG BUSYBOX_VARIANT=""\nFROM busybox:stable${BUSYBOX_VARIANT}\n',
      buildArgs: { BUSYBOX_VARIANT: '-musl' },
    },
    { code: 'ARG BUSYBOX_VARIANT\nFROM busybox:stable${BUSYBOX_VARIANT}\n', buildArgs: { BUSYBOX_VARIANT: '-musl' } },
    'ARG base=scratch\nFROM $base\n',
    { name: 'builtin platform ARGs have values', code: 'FROM --platform=$BUILDPLATFORM golang:1.22-${TARGETOS}\n' },
  ],
  invalid: [
    {
      code: '\nARG VERSION\nFROM busybox:$VERSION\n',
      buildArgs: { VERSION: 'latest' },
      errors: [
        {
          line: 3,
          column: 1,
          message: 'Default value for ARG busybox:$VERSION results in empty or invalid base image name',
        },
      ],
    },
    {
      code: 'ARG IMAGE\nFROM $IMAGE\n',
      buildArgs: { IMAGE: 'busybox:latest' },
      errors: [
        { line: 2, column: 1, message: 'Default value for ARG $IMAGE results in empty or invalid base image name' },
      ],
    },
    {
      code: 'ARG SFX="box:"\nFROM busy${SFX}\n',
      buildArgs: { SFX: 'box:latest' },
      errors: [
        { line: 2, column: 1, message: 'Default value for ARG busy${SFX} results in empty or invalid base image name' },
      ],
    },
  ],
});
