import { packageDatabaseRemoved } from '../../../src/lint/rules/scannable/package-database-removed.js';
import { ruleTester } from '../rule-tester.js';

const KEEP = {
  dpkg: 'remove only /var/lib/apt/lists/* and /var/cache/apt/*',
  apk: 'use apk add --no-cache, or remove only /var/cache/apk/*',
  rpm: 'remove only caches (dnf clean all, /var/cache/dnf, /var/cache/yum)',
};
const removed = (path: string, db: keyof typeof KEEP): string =>
  `Removing ${path} deletes the ${db} package database: the installed files lose their package, version and licence. Keep it; ${KEEP[db]}`;

ruleTester(packageDatabaseRemoved, {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n',
    { name: 'apk caches', code: 'FROM alpine\nRUN apk add curl && rm -rf /var/cache/apk/*\n' },
    {
      name: 'dnf caches',
      code: 'FROM rockylinux:9\nRUN dnf install -y jq && dnf clean all && rm -rf /var/cache/dnf\n',
    },
    { name: 'a directory next to the database', code: 'FROM debian\nRUN rm -rf /var/lib/dpkg-old /var/lib/apt\n' },
    { name: 'not rm', code: 'FROM debian\nRUN ls /var/lib/dpkg\n' },
  ],
  invalid: [
    {
      code: 'FROM debian\nRUN rm -rf /var/lib/dpkg\n',
      errors: [{ line: 2, column: 12, endColumn: 25, message: removed('/var/lib/dpkg', 'dpkg') }],
    },
    {
      name: 'part of it, by a glob',
      code: 'FROM debian\nRUN rm -rf /var/lib/dpkg/info/*\n',
      errors: [{ line: 2, column: 12, message: removed('/var/lib/dpkg/info/*', 'dpkg') }],
    },
    {
      name: 'apk',
      code: 'FROM alpine\nRUN apk add curl && rm -rf /lib/apk/db /var/lib/apk\n',
      errors: [
        { line: 2, column: 28, message: removed('/lib/apk/db', 'apk') },
        { line: 2, column: 40, message: removed('/var/lib/apk', 'apk') },
      ],
    },
    {
      name: 'rpm, relative to the working directory',
      code: 'FROM rockylinux:9\nWORKDIR /var/lib\nRUN rm -rf rpm\n',
      errors: [{ line: 3, column: 12, message: removed('rpm', 'rpm') }],
    },
    {
      name: 'a parent directory',
      code: 'FROM debian\nRUN rm -rf /var/lib/*\n',
      errors: [{ line: 2, column: 12, message: removed('/var/lib/*', 'dpkg') }],
    },
    {
      name: 'heredoc RUN, through sudo',
      code: 'FROM debian\nRUN <<EOF\nsudo rm -rf /var/lib/dpkg\nEOF\n',
      errors: [{ line: 3, column: 13, message: removed('/var/lib/dpkg', 'dpkg') }],
    },
  ],
});
