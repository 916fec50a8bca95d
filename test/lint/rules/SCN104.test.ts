import { buildFromUntracedSources } from '../../../src/lint/rules/scannable/build-from-untraced-sources.js';
import { ruleTester } from '../rule-tester.js';

const VERIFY =
  'Verify the download (sha256sum -c, gpg --verify) before unpacking it, or COPY the sources from the build context';
const PIN = 'Pin the commit (a full commit id) before building, or COPY the sources from the build context';
const built = (tool: string, what: string, fix: string): string =>
  `${tool} builds from sources that nobody verified: ${what}. ${fix}`;
const SHA = '5906e0339e9322a688b2375eaf40666e00a16e008b0067b0a9f9e4b6c5033720';
const COMMIT = '0f6b8bd1c4a5e9d2e3f7a1b2c3d4e5f60718293a';

ruleTester(buildFromUntracedSources, {
  valid: [
    {
      name: 'sources copied from the build context',
      code: 'FROM gcc:14\nCOPY . /src\nWORKDIR /src\nRUN ./configure && make && make install\n',
    },
    {
      name: 'a verified download',
      code: `FROM gcc:14\nRUN curl -fsSLO https://example.com/app-1.0.tar.gz \\\n && echo "${SHA}  app-1.0.tar.gz" | sha256sum -c - \\\n && tar -xzf app-1.0.tar.gz \\\n && cd app-1.0 && ./configure && make\n`,
    },
    {
      name: 'a pinned clone',
      code: `FROM golang:1.22\nRUN git clone https://github.com/example/app /src && cd /src && git checkout ${COMMIT} && go build ./...\n`,
    },
    {
      name: 'ADD with --checksum, unpacked and built',
      code: `FROM gcc:14\nADD --checksum=sha256:${SHA} https://example.com/app.tgz /tmp/app.tgz\nRUN mkdir /src && tar -xzf /tmp/app.tgz -C /src && make -C /src\n`,
    },
    {
      name: 'an unverified tool unpacked elsewhere does not make a build of context sources untraced',
      code: 'FROM golang:1.22\nRUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin\nCOPY . /app\nWORKDIR /app\nRUN go build -o /out/app .\n',
    },
    {
      name: 'an unverified download that is not unpacked is not a source tree',
      code: 'FROM gcc:14\nRUN curl -fsSLo /usr/local/bin/jq https://example.com/jq\nCOPY . /src\nRUN cd /src && make\n',
    },
    {
      name: 'the build comes before the download',
      code: 'FROM gcc:14\nCOPY . /src\nRUN cd /src && make && curl -fsSL https://example.com/x.tgz | tar -xz -C /src/vendor\n',
    },
  ],
  invalid: [
    {
      name: 'download, unpack and build in one RUN: reported once, at the first build step',
      code: 'FROM gcc:14\nRUN curl -fsSLO https://example.com/app-1.0.tar.gz \\\n && tar -xzf app-1.0.tar.gz \\\n && cd app-1.0 && ./configure && make && make install\n',
      errors: [
        {
          line: 4,
          column: 19,
          message: built(
            'configure',
            'https://example.com/app-1.0.tar.gz, downloaded at line 2 without verification and unpacked at line 3',
            VERIFY,
          ),
        },
      ],
    },
    {
      name: 'streamed into tar',
      code: 'FROM gcc:14\nRUN mkdir /src && curl -fsSL https://example.com/app.tgz | tar -xz -C /src --strip-components 1 && make -C /src\n',
      errors: [
        {
          line: 2,
          column: 100,
          message: built('make', 'https://example.com/app.tgz, piped into tar at line 2 without verification', VERIFY),
        },
      ],
    },
    {
      name: 'across RUNs: downloaded, unpacked, then built',
      code: 'FROM gcc:14\nWORKDIR /usr/src\nRUN wget https://example.com/app.tgz\nRUN tar -xzf app.tgz\nRUN cd app && make\n',
      errors: [
        {
          line: 5,
          column: 15,
          message: built(
            'make',
            'https://example.com/app.tgz, downloaded at line 3 without verification and unpacked at line 4',
            VERIFY,
          ),
        },
      ],
    },
    {
      name: 'an unpinned clone',
      code: 'FROM golang:1.22\nRUN git clone https://github.com/example/app /src\nRUN cd /src && go build -o /out/app ./cmd/app\n',
      errors: [
        {
          line: 3,
          column: 16,
          message: built('go', 'https://github.com/example/app, cloned at line 2 without a pinned commit', PIN),
        },
      ],
    },
    {
      name: 'ADD of a git URL at a tag',
      code: 'FROM golang:1.22\nWORKDIR /src\nADD https://github.com/example/app.git#v1.0 .\nRUN go build ./...\n',
      errors: [
        {
          line: 4,
          column: 5,
          message: built('go', 'https://github.com/example/app.git, added at line 3 without a pinned commit', PIN),
        },
      ],
    },
    {
      name: 'ADD of a URL without --checksum, unpacked in a RUN',
      code: 'FROM gcc:14\nADD https://example.com/app.tgz /tmp/\nRUN tar -xzf /tmp/app.tgz -C /opt && make -C /opt/app\n',
      errors: [
        {
          line: 3,
          column: 38,
          message: built(
            'make',
            'https://example.com/app.tgz, downloaded at line 2 without verification and unpacked at line 3',
            VERIFY,
          ),
        },
      ],
    },
    {
      name: 'a stage inherits what its base stage unpacked',
      code: 'FROM gcc:14 AS sources\nRUN curl -fsSL https://example.com/app.tgz | tar -xz -C /src\nFROM sources\nRUN cd /src && cmake -B build && cmake --build build\n',
      errors: [
        {
          line: 4,
          column: 16,
          message: built('cmake', 'https://example.com/app.tgz, piped into tar at line 2 without verification', VERIFY),
        },
      ],
    },
    {
      name: 'heredoc RUN',
      code: 'FROM rust:1\nRUN <<EOF\nset -e\ngit clone https://github.com/example/app /app\ncd /app\ncargo build --release\nEOF\n',
      errors: [
        {
          line: 6,
          column: 1,
          message: built('cargo', 'https://github.com/example/app, cloned at line 4 without a pinned commit', PIN),
        },
      ],
    },
  ],
});
