import { unverifiedDownload } from '../../../src/lint/rules/scannable/unverified-download.js';
import { ruleTester } from '../rule-tester.js';

const unverified = (url: string, file: string): string =>
  `${url} is downloaded to ${file} but never verified in this RUN: check it with \`echo "<sha256>  ${file}" | sha256sum -c -\` or a signature (gpg --verify)`;
const unnamed = (url: string): string =>
  `${url} is downloaded to a file but never verified in this RUN: check it with \`echo "<sha256>  FILE" | sha256sum -c -\` or a signature (gpg --verify)`;
const streamed = (url: string, tool: string): string =>
  `${url} is piped into ${tool} without verification: download it to a file, check it (sha256sum -c), then unpack it`;

const SHA = '5906e0339e9322a688b2375eaf40666e00a16e008b0067b0a9f9e4b6c5033720';

ruleTester(unverifiedDownload, {
  valid: [
    {
      name: 'curl -o x && echo "<sha>  x" | sha256sum -c -',
      code: `FROM debian\nRUN curl -fsSL https://example.com/x.tgz -o x.tgz && echo "${SHA}  x.tgz" | sha256sum -c -\n`,
    },
    {
      name: 'docker-library style: checksum from a variable, file given with a star',
      code: `FROM debian\nENV SHA=${SHA}\nRUN set -eux; \\\n  wget -O /tmp/openjdk.tar.gz https://example.com/jdk.tar.gz; \\\n  echo "$SHA */tmp/openjdk.tar.gz" | sha256sum -c -; \\\n  tar -xf /tmp/openjdk.tar.gz -C /opt\n`,
    },
    {
      name: 'checksum through a here-string',
      code: `FROM debian\nRUN curl -fsSLo app https://example.com/app && sha256sum -c <<< "${SHA}  app"\n`,
    },
    {
      name: 'the checked file named by its absolute path',
      code: `FROM debian\nWORKDIR /tmp\nRUN curl -fsSLO https://example.com/app.zip && echo "${SHA}  /tmp/app.zip" | sha256sum -c -\n`,
    },
    {
      name: 'a signature: the signed file and the signature are both fine',
      code: 'FROM debian\nRUN wget -O f.tgz https://example.com/f.tgz && wget -O f.tgz.asc https://example.com/f.tgz.asc && gpg --batch --verify f.tgz.asc f.tgz\n',
    },
    {
      name: 'gpgv',
      code: 'FROM debian\nRUN curl -fsSLO https://example.com/f.tgz && curl -fsSLO https://example.com/f.tgz.sig && gpgv --keyring ./k.gpg f.tgz.sig f.tgz\n',
    },
    {
      name: 'a checksum list checked for the one file (grep | sha256sum -c)',
      code: 'FROM debian\nRUN curl -fsSLO https://example.com/SHA256SUMS && curl -fsSLO https://example.com/f.tgz && grep " f.tgz$" SHA256SUMS | sha256sum -c -\n',
    },
    {
      name: 'a checksum list, signed',
      code: 'FROM debian\nRUN curl -fsSLO https://example.com/f.tgz \\\n && curl -fsSLO https://example.com/SHA256SUMS \\\n && curl -fsSLO https://example.com/SHA256SUMS.asc \\\n && gpg --verify SHA256SUMS.asc SHA256SUMS \\\n && sha256sum -c --ignore-missing SHA256SUMS\n',
    },
    {
      name: 'a signed message, checked as gpg --decrypt unpacks it',
      code: 'FROM debian\nRUN curl -fsSLo notes.txt.gpg https://example.com/notes.txt.gpg && gpg --batch --output notes.txt --decrypt notes.txt.gpg\n',
    },
    {
      name: 'a digest computed and compared',
      code: 'FROM debian\nARG SHA\nRUN curl -fsSL -o f https://example.com/f && [ "$(sha256sum f | cut -d" " -f1)" = "$SHA" ]\n',
    },
    {
      name: 'openssl over its input',
      code: 'FROM debian\nARG SUM\nRUN wget -O /tmp/x.pl https://example.com/x.pl && if [ "$(cat /tmp/x.pl | openssl sha512 -r)" = "$SUM" ]; then mv /tmp/x.pl /usr/local/bin/; fi\n',
    },
    {
      name: 'openssl dgst with the file',
      code: 'FROM debian\nRUN curl -fsSLo f https://example.com/f && openssl dgst -sha256 -verify k.pem -signature f.sig f\n',
    },
    {
      name: 'a file name only partly known, checked by the same pattern',
      code: `FROM debian\nARG V\nRUN curl -fsSLO "https://example.com/app-$V.tgz" && echo "${SHA}  app-$V.tgz" | sha256sum -c -\n`,
    },
    {
      name: 'a file name not known, and a check of files not known',
      code: 'FROM debian\nARG URL\nARG SUMS\nRUN wget "$URL" && echo "$SUMS" | sha256sum -c -\n',
    },
    {
      name: 'a value, not a file',
      code: 'FROM debian\nRUN VERSION="$(curl -fsSL https://example.com/latest)" && echo "$VERSION"\n',
    },
    { name: 'discarded', code: 'FROM debian\nRUN curl -fsS -o /dev/null https://example.com/health\n' },
    { name: 'printed to the build log', code: 'FROM debian\nRUN curl -fsS https://example.com/motd\n' },
    {
      name: 'keys for a keyring',
      code: 'FROM debian\nRUN curl -fsSL https://example.com/gpg -o /etc/apt/keyrings/x.asc && curl -fsSL https://example.com/k | gpg --dearmor > /usr/share/keyrings/k.gpg\n',
    },
    {
      name: 'a key file imported by gpg',
      code: 'FROM debian\nRUN curl -fsSLO https://example.com/KEYS && gpg --import KEYS\n',
    },
    {
      name: 'run by an interpreter is SCN101, not this',
      code: 'FROM debian\nRUN curl -fsSL https://example.com/i.sh | sh\n',
    },
  ],
  invalid: [
    {
      code: 'FROM debian\nRUN curl -fsSL https://example.com/x.tgz -o x.tgz\n',
      errors: [{ line: 2, column: 5, endColumn: 50, message: unverified('https://example.com/x.tgz', 'x.tgz') }],
    },
    {
      name: 'wget names the file after the URL',
      code: 'FROM debian\nRUN wget https://example.com/dl/tool-1.2.zip\n',
      errors: [{ line: 2, column: 5, message: unverified('https://example.com/dl/tool-1.2.zip', 'tool-1.2.zip') }],
    },
    // `1>` rather than `>`: this branch's shell grammar does not parse a bare `>` yet.
    {
      name: 'a redirect',
      code: 'FROM debian\nRUN curl -fsSL https://example.com/bin 1> /usr/local/bin/tool\n',
      errors: [{ line: 2, column: 5, message: unverified('https://example.com/bin', '/usr/local/bin/tool') }],
    },
    {
      name: 'another file is checked',
      code: `FROM debian\nRUN curl -fsSLO https://example.com/a.tgz && curl -fsSLO https://example.com/b.tgz && echo "${SHA}  a.tgz" | sha256sum -c -\n`,
      errors: [{ line: 2, column: 46, message: unverified('https://example.com/b.tgz', 'b.tgz') }],
    },
    {
      name: 'checked in a later RUN: too late, the RUN that downloads must check',
      code: `FROM debian\nRUN curl -fsSLO https://example.com/a.tgz\nRUN echo "${SHA}  a.tgz" | sha256sum -c -\n`,
      errors: [{ line: 2, column: 5, message: unverified('https://example.com/a.tgz', 'a.tgz') }],
    },
    {
      name: 'gpg that checks nothing',
      code: 'FROM debian\nRUN curl -fsSLo f.tgz https://example.com/f.tgz && gpg --list-packets f.tgz\n',
      errors: [{ line: 2, column: 5, message: unverified('https://example.com/f.tgz', 'f.tgz') }],
    },
    {
      name: 'streamed into tar',
      code: 'FROM debian\nRUN curl -fsSL https://example.com/a.tgz | tar -xz -C /opt\n',
      errors: [{ line: 2, column: 5, message: streamed('https://example.com/a.tgz', 'tar') }],
    },
    {
      name: 'streamed into tar through gunzip',
      code: 'FROM debian\nRUN wget -qO- https://example.com/a.tar.gz | gunzip | tar -x\n',
      errors: [{ line: 2, column: 5, message: streamed('https://example.com/a.tar.gz', 'tar') }],
    },
    {
      name: 'inside if',
      code: 'FROM debian\nRUN if [ "$(uname -m)" = x86_64 ]; then curl -fsSLo /bin/x https://example.com/x; fi\n',
      errors: [{ line: 2, column: 41, message: unverified('https://example.com/x', '/bin/x') }],
    },
    {
      name: 'in a function',
      code: 'FROM debian\nRUN get() { curl -fsSLo "$2" "$1"; }; get https://example.com/x /bin/x\n',
      errors: [{ line: 2, column: 13, message: unnamed('"$1"') }],
    },
    {
      name: 'through sudo',
      code: 'FROM debian\nRUN sudo curl -fsSLo /bin/x https://example.com/x\n',
      errors: [{ line: 2, column: 5, message: unverified('https://example.com/x', '/bin/x') }],
    },
    {
      name: 'through env',
      code: 'FROM debian\nRUN env https_proxy=http://p:3128 wget -O /bin/x https://example.com/x\n',
      errors: [{ line: 2, column: 5, message: unverified('https://example.com/x', '/bin/x') }],
    },
    {
      name: 'ARG URL: unresolved, still a download',
      code: 'FROM debian\nARG URL\nRUN curl -fsSL -o /bin/x $URL\n',
      errors: [{ line: 3, column: 5, message: unverified('$URL', '/bin/x') }],
    },
    {
      name: 'curl -O with a URL not known: a file of unknown name',
      code: 'FROM debian\nARG URL\nRUN curl -fsSLO "$URL"\n',
      errors: [{ line: 3, column: 5, message: unnamed('"$URL"') }],
    },
    {
      name: 'heredoc RUN',
      code: 'FROM debian\nRUN <<EOF\nset -e\nwget -O /bin/x https://example.com/x\nchmod +x /bin/x\nEOF\n',
      errors: [{ line: 4, column: 1, message: unverified('https://example.com/x', '/bin/x') }],
    },
    {
      name: 'exec form',
      code: 'FROM debian\nRUN ["curl", "-fsSLo", "/bin/x", "https://example.com/x"]\n',
      errors: [{ line: 2, column: 7, message: unverified('https://example.com/x', '/bin/x') }],
    },
    {
      name: 'exec form, a string with escapes: the whole string',
      code: 'FROM debian\nRUN ["sh", "-c", "curl -fsSLo /bin/x https://example.com/x && echo \\"ok\\""]\n',
      errors: [{ line: 2, column: 18, endColumn: 75, message: unverified('https://example.com/x', '/bin/x') }],
    },
    {
      name: 'in sh -c',
      code: "FROM debian\nRUN sh -c 'curl -fsSLo /bin/x https://example.com/x'\n",
      errors: [{ line: 2, column: 12, message: unverified('https://example.com/x', '/bin/x') }],
    },
  ],
});
