import { expect } from 'vitest';
import { invalidBaseImagePlatform } from '../../../src/lint/rules/buildkit/invalid-base-image-platform.js';
import { ruleTester } from '../rule-tester.js';

const arm64Only = (): { os: string; architecture: string } => ({ os: 'linux', architecture: 'arm64' });

ruleTester(invalidBaseImagePlatform, {
  valid: [
    { name: 'platform unknown (offline)', code: 'FROM alpine\n' },
    { name: 'matching platform', code: 'FROM --platform=linux/arm64 alpine\n', baseImagePlatform: arm64Only },
    {
      name: 'scratch and stages are not pulled',
      code: 'FROM --platform=linux/amd64 scratch AS a\nFROM a\n',
      baseImagePlatform: arm64Only,
    },
  ],
  invalid: [
    {
      code: 'FROM --platform=linux/amd64 alpine:3.20\n',
      baseImagePlatform: arm64Only,
      errors: [
        {
          line: 1,
          column: 1,
          message:
            'Base image alpine:3.20 was pulled with platform "linux/arm64", expected "linux/amd64" for current build',
        },
      ],
    },
    {
      name: 'the expected platform is the target when FROM names none',
      code: 'ARG TAG=3\nFROM debian:${TAG}\n',
      baseImagePlatform: (_ref, requested) => ({ os: 'windows', architecture: requested.architecture }),
      errors: [
        {
          line: 2,
          column: 1,
          message: expect.stringMatching(
            /^Base image debian:3 was pulled with platform "windows\/[a-z0-9]+", expected "linux\/[a-z0-9]+(\/v\d)?" for current build$/,
          ) as unknown as string,
        },
      ],
    },
  ],
});
