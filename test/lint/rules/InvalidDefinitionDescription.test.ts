import { invalidDefinitionDescription } from '../../../src/lint/rules/buildkit/invalid-definition-description.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(invalidDefinitionDescription, {
  valid: [
    '# check=experimental=InvalidDefinitionDescription\n# foo this is the foo\nARG foo=bar\n\n# base this is the base image\nFROM scratch AS base\n\n' +
      '# version this is the version number\nARG version=latest\n\n# baz this is the baz\nARG foo=baz bar=qux baz=quux\n#\nARG bit=bat\n\n' +
      '# comment for something other than ARG or FROM\nCOPY Dockerfile .\n',
    { name: 'unnamed stages have no description', code: '# just a comment\nFROM scratch\n' },
  ],
  invalid: [
    {
      code:
        '# check=experimental=InvalidDefinitionDescription\n# bar this is the bar\nARG foo=bar\n# BasE this is the BasE image\nFROM scratch AS base\n' +
        '# definitely a bad comment\nARG version=latest\n# definitely a bad comment\nARG foo=baz bar=qux baz=quux\n',
      errors: [
        { line: 3, column: 1, message: 'Comment for ARG should follow the format: `# foo <description>`' },
        { line: 5, column: 1, message: 'Comment for FROM should follow the format: `# base <description>`' },
        { line: 7, column: 1, message: 'Comment for ARG should follow the format: `# version <description>`' },
        { line: 9, column: 1, message: 'Comment for ARG should follow the format: `# <arg_key> <description>`' },
      ],
    },
  ],
});
