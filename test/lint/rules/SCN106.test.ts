import { packageFromLocalFile } from '../../../src/lint/rules/scannable/package-from-local-file.js';
import { ruleTester } from '../rule-tester.js';

const unknown = (tool: string, file: string): string =>
  `${tool} installs ${file}, a package file of unknown origin: install it from a package repository, or COPY it from the build context or download and verify it, so its origin is recorded`;
const fromStage = (tool: string, file: string, how: string, from: string, line: number): string =>
  `${tool} installs ${file}, ${how} from ${from} (line ${line}), where its origin is not known: install it from a package repository, or COPY it from the build context or download and verify it, so its origin is recorded`;
const fromContext = (tool: string, file: string, line: number): string =>
  `${tool} installs ${file}, a package file from the build context (line ${line}): its origin is recorded as that context file only; install it from a package repository to record the package's own origin`;
const unverified = (tool: string, file: string, url: string, line: number): string =>
  `${tool} installs ${file}, downloaded from ${url} (line ${line}) without verification: verify the download (sha256sum -c, gpg --verify) or install the package from its repository`;
const verified = (tool: string, file: string, url: string, line: number): string =>
  `${tool} installs ${file}, downloaded from ${url} and verified (line ${line}): its origin is recorded as that URL; a package repository would also record the package's own origin`;
const SHA = '5906e0339e9322a688b2375eaf40666e00a16e008b0067b0a9f9e4b6c5033720';

ruleTester(packageFromLocalFile, {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y curl=7.88.1-10\n',
    {
      name: "a requirements list is SCN109's business, not a package file",
      code: 'FROM python:3\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
    },
    { name: 'a project directory', code: 'FROM python:3\nCOPY . /src\nRUN pip install /src\n' },
    {
      name: 'a package from a URL is not a local file',
      code: 'FROM rockylinux:9\nRUN dnf install -y https://example.com/epel-release-latest-9.noarch.rpm\n',
    },
  ],
  invalid: [
    {
      code: 'FROM debian\nRUN dpkg -i /tmp/app.deb\n',
      errors: [{ line: 2, column: 13, endColumn: 25, message: unknown('dpkg', '/tmp/app.deb') }],
    },
    {
      name: 'rpm -i',
      code: 'FROM rockylinux:9\nRUN rpm -ivh app-1.0.x86_64.rpm\n',
      errors: [{ line: 2, column: 14, message: unknown('rpm', 'app-1.0.x86_64.rpm') }],
    },
    {
      name: 'apk add --allow-untrusted',
      code: 'FROM alpine\nRUN apk add --allow-untrusted /tmp/app.apk\n',
      errors: [{ line: 2, column: 31, message: unknown('apk', '/tmp/app.apk') }],
    },
    {
      name: 'pip install ./x.whl',
      code: 'FROM python:3\nRUN pip install ./dist/app-1.0-py3-none-any.whl\n',
      errors: [{ line: 2, column: 17, message: unknown('pip', './dist/app-1.0-py3-none-any.whl') }],
    },
    {
      name: 'apt-get install ./x.deb',
      code: 'FROM debian\nRUN apt-get install -y ./app.deb\n',
      errors: [{ line: 2, column: 24, message: unknown('apt-get', './app.deb') }],
    },
    {
      name: 'copied from another stage',
      code: 'FROM debian AS build\nRUN make deb\nFROM debian\nCOPY --from=build /out/app.deb /tmp/\nRUN dpkg -i /tmp/app.deb\n',
      errors: [{ line: 5, column: 13, message: fromStage('dpkg', '/tmp/app.deb', 'copied', 'build', 4) }],
    },
    {
      name: 'mounted from another stage, the name partly known',
      code: 'FROM debian AS build\nRUN make deb\nFROM debian\nARG V\nRUN --mount=type=bind,from=build,source=/out,target=/pkgs dpkg -i /pkgs/app_${V}_amd64.deb\n',
      errors: [{ line: 5, column: 67, message: fromStage('dpkg', '/pkgs/app_${V}_amd64.deb', 'mounted', 'build', 5) }],
    },
    {
      name: 'downloaded without verification',
      code: 'FROM debian\nRUN curl -fsSLO https://example.com/app.deb && dpkg -i app.deb\n',
      errors: [{ line: 2, column: 56, message: unverified('dpkg', 'app.deb', 'https://example.com/app.deb', 2) }],
    },
    {
      name: 'copied from the build context: info',
      code: 'FROM debian\nCOPY pkgs/*.deb /tmp/pkgs/\nRUN dpkg -i /tmp/pkgs/app.deb\n',
      errors: [{ line: 3, column: 13, severity: 'info', message: fromContext('dpkg', '/tmp/pkgs/app.deb', 2) }],
    },
    {
      name: 'copied from the build context relative to WORKDIR: info',
      code: 'FROM debian\nWORKDIR /tmp\nCOPY app.deb .\nRUN apt-get install -y ./app.deb\n',
      errors: [{ line: 4, column: 24, severity: 'info', message: fromContext('apt-get', './app.deb', 3) }],
    },
    {
      name: 'bind-mounted from the build context: info',
      code: 'FROM debian\nRUN --mount=type=bind,source=dist,target=/dist dpkg -i /dist/app.deb\n',
      errors: [{ line: 2, column: 56, severity: 'info', message: fromContext('dpkg', '/dist/app.deb', 2) }],
    },
    {
      name: 'downloaded and verified: info',
      code: `FROM debian\nRUN curl -fsSLO https://example.com/app.deb \\\n && echo "${SHA}  app.deb" | sha256sum -c - \\\n && dpkg -i app.deb\n`,
      errors: [
        {
          line: 4,
          column: 13,
          severity: 'info',
          message: verified('dpkg', 'app.deb', 'https://example.com/app.deb', 2),
        },
      ],
    },
  ],
});
