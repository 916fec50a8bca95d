import { exposeInvalidFormat } from '../../../src/lint/rules/buildkit/expose-invalid-format.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(exposeInvalidFormat, {
  valid: [
    'FROM scratch\nEXPOSE 80 443/tcp 53/udp 8000-8010\n',
    { name: 'an invalid protocol is a build error, not this finding', code: 'FROM scratch\nEXPOSE 1:80/foo\n' },
  ],
  invalid: [
    {
      code: '\nFROM scratch\nEXPOSE 127.0.0.1:80:80 [::1]:8080:8080 5000:5000 8000\n',
      errors: [
        {
          line: 3,
          column: 1,
          message: "EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80'",
        },
        {
          line: 3,
          column: 1,
          message: "EXPOSE instruction should not define an IP address or host-port mapping, found '5000:5000'",
        },
        {
          line: 3,
          column: 1,
          message: "EXPOSE instruction should not define an IP address or host-port mapping, found '[::1]:8080:8080'",
        },
      ],
    },
    {
      name: 'after expansion',
      code: 'FROM scratch\nARG P=8080:80\nEXPOSE $P\n',
      errors: [
        {
          line: 3,
          column: 1,
          message: "EXPOSE instruction should not define an IP address or host-port mapping, found '8080:80'",
        },
      ],
    },
  ],
});
