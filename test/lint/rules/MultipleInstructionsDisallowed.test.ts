import { multipleInstructionsDisallowed } from '../../../src/lint/rules/buildkit/multiple-instructions-disallowed.js';
import { ruleTester } from '../rule-tester.js';

const msg = (name: string): string =>
  `Multiple ${name} instructions should not be used in the same stage because only the last one will be used`;

ruleTester(multipleInstructionsDisallowed, {
  valid: [
    'FROM scratch AS a\nENTRYPOINT ["/myapp"]\nCMD ["/myapp"]\nHEALTHCHECK CMD ["/myapp"]\n\nFROM a AS b\nENTRYPOINT ["/myotherapp"]\nCMD ["/myotherapp"]\nHEALTHCHECK CMD ["/myotherapp"]\n',
  ],
  invalid: [
    {
      code: '\nFROM scratch\nENTRYPOINT ["/myapp"]\nENTRYPOINT ["/myotherapp"]\nCMD ["/myapp"]\nCMD ["/myotherapp"]\nHEALTHCHECK CMD ["/myapp"]\nHEALTHCHECK CMD ["/myotherapp"]\n',
      errors: [
        { line: 3, column: 1, message: msg('ENTRYPOINT') },
        { line: 5, column: 1, message: msg('CMD') },
        { line: 7, column: 1, message: msg('HEALTHCHECK') },
      ],
    },
    {
      code: '\nFROM scratch\nENTRYPOINT ["/myapp"]\nCMD ["/myapp"]\nHEALTHCHECK CMD ["/myapp"]\nCOPY <<EOF /a.txt\nHello, World!\nEOF\nENTRYPOINT ["/myotherapp"]\nCMD ["/myotherapp"]\nHEALTHCHECK CMD ["/myotherapp"]\n',
      errors: [
        { line: 3, column: 1, message: msg('ENTRYPOINT') },
        { line: 4, column: 1, message: msg('CMD') },
        { line: 5, column: 1, message: msg('HEALTHCHECK') },
      ],
    },
    {
      name: 'named after the later instruction as written',
      code: 'FROM scratch\nCMD ["a"]\ncmd ["b"]\n',
      errors: [{ line: 2, column: 1, message: msg('cmd') }],
    },
  ],
});
