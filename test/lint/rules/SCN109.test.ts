import { unknownPackageList } from '../../../src/lint/rules/scannable/unknown-package-list.js';
import { ruleTester } from '../rule-tester.js';

const unknown = (tool: string, why: string): string =>
  `The packages ${tool} installs are not statically known (${why}): name them in the Dockerfile so the step can be reviewed before it runs`;

ruleTester(unknownPackageList, {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates\n',
    {
      name: 'names from a known ENV',
      code: 'FROM debian\nENV BUILD_DEPS="gcc make"\nRUN apt-get install -y $BUILD_DEPS\n',
    },
    {
      name: 'names from a legacy ENV with continuation lines',
      code: 'FROM debian\nENV PHPIZE_DEPS \\\n\t\tautoconf \\\n\t\tre2c\nRUN apt-get install -y $PHPIZE_DEPS curl\n',
    },
    { name: 'only the version is not known', code: 'FROM debian\nARG V\nRUN apt-get install -y "curl=$V" jq=${V}\n' },
    {
      name: 'go and npm versions from ARGs',
      code: 'FROM golang:1.22\nARG V\nRUN go install golang.org/x/vuln/cmd/govulncheck@$V && npm install -g "doctoc@${V#v}"\n',
    },
    { name: 'a version glob', code: 'FROM debian\nRUN apt-get install -y s3cmd=1.1.0*\n' },
    {
      name: 'a project install reads its own lock file',
      code: 'FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ci\n',
    },
    { name: 'pip install .', code: 'FROM python:3\nCOPY . /src\nRUN pip install /src\n' },
    { name: "a package file is SCN106's", code: 'FROM debian\nARG V\nRUN dpkg -i /tmp/app_${V}_amd64.deb\n' },
  ],
  invalid: [
    {
      code: 'FROM debian\nRUN apt-get install -y $(cat /tmp/pkgs.txt)\n',
      errors: [
        {
          line: 2,
          column: 24,
          endColumn: 44,
          message: unknown('apt-get', '$(cat /tmp/pkgs.txt) is not known statically'),
        },
      ],
    },
    {
      name: 'pip install -r requirements.txt',
      code: 'FROM python:3\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n',
      errors: [{ line: 3, column: 35, message: unknown('pip', 'read from requirements.txt') }],
    },
    {
      name: 'xargs reading a list',
      code: 'FROM debian\nRUN xargs -a /tmp/pkgs apt-get install -y\n',
      errors: [{ line: 2, column: 5, message: unknown('apt-get', 'given at run time') }],
    },
    {
      name: 'a variable set by a command',
      code: 'FROM alpine\nRUN runDeps="$(scanelf --needed /usr/local/bin/x | sort -u)" && apk add --no-cache $runDeps\n',
      errors: [{ line: 2, column: 84, message: unknown('apk', '$runDeps is not known statically') }],
    },
    {
      name: 'an ARG without a value',
      code: 'FROM alpine\nARG EXTRA\nRUN apk add --no-cache curl $EXTRA\n',
      errors: [{ line: 3, column: 29, message: unknown('apk', '$EXTRA is not known statically') }],
    },
    {
      name: 'several reasons',
      code: 'FROM python:3\nARG X\nRUN pip install -r /r.txt $X\n',
      errors: [{ line: 3, column: 27, message: unknown('pip', '$X is not known statically; read from /r.txt') }],
    },
  ],
});
