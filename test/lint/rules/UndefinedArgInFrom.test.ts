import { undefinedArgInFrom } from '../../../src/lint/rules/buildkit/undefined-arg-in-from.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(undefinedArgInFrom, {
  valid: [
    'ARG base=scratch\nFROM $base\nCOPY Dockerfile .\n',
    'ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\n',
    'FROM --platform=$BUILDPLATFORM scratch\n',
    'ARG DEBUG\nFROM scratch${DEBUG}\n',
    'ARG DEBUG\nFROM scra${DEBUG:-tch}\n',
    'ARG DEBUG=""\nFROM scratch${DEBUG-@bogus}\n',
  ],
  invalid: [
    {
      code: '\nFROM --platform=$BULIDPLATFORM scratch\n',
      errors: [
        { line: 2, column: 1, message: "FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)" },
      ],
    },
    {
      code: '\nARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\n',
      errors: [{ line: 4, column: 1, message: "FROM argument 'MYARCH' is not declared (did you mean MY_ARCH?)" }],
    },
    {
      code: '\nARG tag=latest\nFROM busybox:${tag}${version} AS b\n',
      errors: [{ line: 3, column: 1, message: "FROM argument 'version' is not declared" }],
    },
    {
      name: 'a stage ARG does not count for FROM',
      code: 'FROM alpine\nARG V=3\nFROM alpine:$V\n',
      errors: [{ line: 3, column: 1, message: "FROM argument 'V' is not declared" }],
    },
  ],
});
