import { workdirRelativePath } from '../../../src/lint/rules/buildkit/workdir-relative-path.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(workdirRelativePath, {
  valid: [
    '\nFROM scratch AS a\nWORKDIR /app\n\nFROM a AS b\nWORKDIR subdir/\n',
    'FROM scratch\nWORKDIR /app\nWORKDIR sub\n',
    {
      name: 'Windows paths on a Windows stage',
      code: '# escape=`\nFROM --platform=windows/amd64 mcr.microsoft.com/windows/nanoserver:ltsc2022\nWORKDIR C:\\go\n',
    },
  ],
  invalid: [
    {
      code: '\nFROM scratch\nWORKDIR app/\n',
      errors: [
        {
          line: 3,
          column: 1,
          message: 'Relative workdir "app/" can have unexpected results if the base image changes',
        },
      ],
    },
    {
      name: 'a Windows path is relative on Linux',
      code: '# escape=`\nFROM golang\nWORKDIR C:\\go\n',
      errors: [
        {
          line: 3,
          column: 1,
          message: 'Relative workdir "C:\\\\go" can have unexpected results if the base image changes',
        },
      ],
    },
    {
      name: 'with the default escape, C:\\go is C:go',
      code: 'FROM golang\nWORKDIR C:\\go\n',
      errors: [
        {
          line: 2,
          column: 1,
          message: 'Relative workdir "C:go" can have unexpected results if the base image changes',
        },
      ],
    },
    {
      name: 'after expansion',
      code: 'FROM scratch\nARG D=src\nWORKDIR $D\n',
      errors: [
        { line: 3, column: 1, message: 'Relative workdir "src" can have unexpected results if the base image changes' },
      ],
    },
  ],
});
