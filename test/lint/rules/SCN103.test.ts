import { addUrlWithoutChecksum } from '../../../src/lint/rules/scannable/add-url-without-checksum.js';
import { ruleTester } from '../rule-tester.js';

const noChecksum = (url: string): string =>
  `ADD ${url} has no --checksum, so the download is not verified: add --checksum=sha256:<digest of the file>`;
const SHA = 'sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d';

ruleTester(addUrlWithoutChecksum, {
  valid: [
    { name: 'with --checksum', code: `FROM alpine\nADD --checksum=${SHA} https://example.com/app.tgz /opt/\n` },
    { name: 'a local file', code: 'FROM alpine\nADD app.tgz /opt/\n' },
    { name: "a git URL is SCN107's", code: 'FROM alpine\nADD https://github.com/example/repo.git#v1.0 /src\n' },
    { name: 'COPY never downloads', code: 'FROM alpine\nCOPY https-notes.txt /opt/\n' },
  ],
  invalid: [
    {
      code: 'FROM alpine\nADD https://example.com/app.tgz /opt/\n',
      errors: [{ line: 2, column: 5, endColumn: 32, message: noChecksum('https://example.com/app.tgz') }],
    },
    {
      name: 'each URL among several sources, at its own word',
      code: 'FROM alpine\nADD --chown=1:1 local.txt \\\n    http://example.com/a.txt https://example.com/b.txt /opt/\n',
      errors: [
        { line: 3, column: 5, endColumn: 29, message: noChecksum('http://example.com/a.txt') },
        { line: 3, column: 30, endColumn: 55, message: noChecksum('https://example.com/b.txt') },
      ],
    },
    {
      name: 'a URL from an ARG',
      code: 'FROM alpine\nARG URL=https://example.com/app.tgz\nADD ${URL} /opt/\n',
      errors: [{ line: 3, column: 5, endColumn: 11, message: noChecksum('https://example.com/app.tgz') }],
    },
    {
      name: 'exec form',
      code: 'FROM alpine\nADD ["https://example.com/app.tgz", "/opt/"]\n',
      errors: [{ line: 2, column: 6, message: noChecksum('https://example.com/app.tgz') }],
    },
  ],
});
