import { exposeProtoCasing } from '../../../src/lint/rules/buildkit/expose-proto-casing.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(exposeProtoCasing, {
  valid: ['FROM scratch\nEXPOSE 80/tcp 53/udp 9/sctp 8080\n'],
  invalid: [
    {
      code: '\nFROM scratch\nEXPOSE 80/TcP 8080/TCP 8080/udp\n',
      errors: [
        { line: 3, column: 1, message: "Defined protocol '80/TcP' in EXPOSE instruction should be lowercase" },
        { line: 3, column: 1, message: "Defined protocol '8080/TCP' in EXPOSE instruction should be lowercase" },
      ],
    },
  ],
});
