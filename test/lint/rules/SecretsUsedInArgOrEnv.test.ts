import { secretsUsedInArgOrEnv } from '../../../src/lint/rules/buildkit/secrets-used-in-arg-or-env.js';
import { ruleTester } from '../rule-tester.js';

const msg = (ins: string, key: string): string =>
  `Do not use ARG or ENV instructions for sensitive data (${ins} "${key}")`;

ruleTester(secretsUsedInArgOrEnv, {
  valid: [
    'FROM scratch\nENV PUBLIC_KEY=\nARG public_token\nENV sunflower=foo KEYBOARD=us MONKEY=x\n',
    { name: 'ARGs before the first FROM are not dispatched', code: 'ARG GITHUB_TOKEN\nFROM scratch\n' },
  ],
  invalid: [
    {
      code: '\nFROM scratch\nARG SECRET_PASSPHRASE\nENV SUPER_Secret=foo\nENV password=bar secret=baz\nARG super_duper_secret_token=foo auth=bar\nENV apikey=bar sunflower=foo\nENV git_key=\nENV PUBLIC_KEY=\nARG public_token\n',
      errors: [
        { line: 3, column: 1, message: msg('ARG', 'SECRET_PASSPHRASE') },
        { line: 4, column: 1, message: msg('ENV', 'SUPER_Secret') },
        { line: 5, column: 1, message: msg('ENV', 'password') },
        { line: 5, column: 1, message: msg('ENV', 'secret') },
        { line: 6, column: 1, message: msg('ARG', 'auth') },
        { line: 6, column: 1, message: msg('ARG', 'super_duper_secret_token') },
        { line: 7, column: 1, message: msg('ENV', 'apikey') },
        { line: 8, column: 1, message: msg('ENV', 'git_key') },
      ],
    },
  ],
});
