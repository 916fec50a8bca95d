import { consistentInstructionCasing } from '../../../src/lint/rules/buildkit/consistent-instruction-casing.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(consistentInstructionCasing, {
  valid: [
    'FROM scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\n',
    'from scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\n',
    { name: 'global ARGs are not counted', code: 'arg A=1\narg B=2\nFROM scratch\nCOPY a /a\n' },
    { name: 'heredoc bodies are not instructions', code: 'FROM alpine\nRUN <<EOT\nenv\nEOT\n' },
  ],
  invalid: [
    {
      code: '\n#\nFrom scratch as base\nFROM scratch AS base2\n',
      errors: [
        { line: 3, column: 1, message: "Command 'From' should match the case of the command majority (uppercase)" },
      ],
    },
    {
      code: 'FROM scratch\ncopy Dockerfile /foo\nCOPY Dockerfile /bar\n',
      errors: [
        { line: 2, column: 1, message: "Command 'copy' should match the case of the command majority (uppercase)" },
      ],
    },
    {
      code: 'frOM scratch as base\nfrom scratch as base2\n',
      errors: [
        { line: 1, column: 1, message: "Command 'frOM' should match the case of the command majority (lowercase)" },
      ],
    },
    {
      code: 'from scratch\nCOPY Dockerfile /foo\ncopy Dockerfile /bar\n',
      errors: [
        { line: 2, column: 1, message: "Command 'COPY' should match the case of the command majority (lowercase)" },
      ],
    },
    {
      code: 'from scratch\nCOPY a /a\nCOPY b /b\nCOPY c /c\n',
      errors: [
        { line: 1, column: 1, message: "Command 'from' should match the case of the command majority (uppercase)" },
      ],
    },
    {
      code: 'FROM scratch\n  copy a /a\ncopy b /b\n',
      errors: [
        { line: 1, column: 1, message: "Command 'FROM' should match the case of the command majority (lowercase)" },
      ],
    },
  ],
});
