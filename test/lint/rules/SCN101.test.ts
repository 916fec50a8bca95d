import { downloadPipedToInterpreter } from '../../../src/lint/rules/scannable/download-piped-to-interpreter.js';
import { ruleTester } from '../rule-tester.js';

const ran = (url: string, by: string): string =>
  `${url} is downloaded and run by ${by}: what runs is whatever the server sends. Download it to a file, verify it (sha256sum -c, gpg --verify), then run that file`;

ruleTester(downloadPipedToInterpreter, {
  valid: [
    {
      name: 'downloaded to a file, verified, then run',
      code: 'FROM debian\nRUN curl -fsSL https://example.com/i.sh -o i.sh && echo "0123abcd  i.sh" | sha256sum -c - && sh i.sh\n',
    },
    {
      name: 'piped into an extractor',
      code: 'FROM debian\nRUN curl -fsSL https://example.com/a.tgz | tar -xz -C /opt\n',
    },
    {
      name: 'piped into a reader of data: python -c reads JSON, not code',
      code: 'FROM python:3\nRUN curl -s https://example.com/api | python3 -c "import json,sys; print(json.load(sys.stdin)[\'v\'])"\n',
    },
    {
      name: 'a shell given its script with -c reads no code from its input',
      code: "FROM debian\nRUN curl -s https://example.com/x | sh -c 'cat > /x'\n",
    },
    {
      name: 'a shell running a file from the context',
      code: 'FROM debian\nCOPY install.sh /tmp/\nRUN sh /tmp/install.sh\n',
    },
    {
      name: 'a version read into a variable',
      code: 'FROM debian\nRUN V="$(curl -fsSL https://example.com/latest)" && echo "$V"\n',
    },
    {
      name: 'a download substituted into an argument that is not code',
      code: 'FROM python:3\nRUN python3 manage.py --version="$(curl -s https://example.com/v)"\n',
    },
    {
      name: 'keys piped into gpg',
      code: 'FROM debian\nRUN curl -fsSL https://example.com/key.asc | gpg --dearmor -o /usr/share/keyrings/x.gpg\n',
    },
  ],
  invalid: [
    {
      code: 'FROM debian\nRUN curl -fsSL https://get.example.com | sh\n',
      errors: [{ line: 2, column: 5, endColumn: 44, message: ran('https://get.example.com', 'sh') }],
    },
    {
      code: 'FROM debian\nRUN wget -O- https://get.example.com/x | bash\n',
      errors: [{ line: 2, column: 5, message: ran('https://get.example.com/x', 'bash') }],
    },
    {
      name: 'through tee and gunzip',
      code: 'FROM debian\nRUN curl -fsSL https://example.com/i.sh.gz | tee i.sh.gz | gunzip | sh\n',
      errors: [{ line: 2, column: 5, message: ran('https://example.com/i.sh.gz', 'sh') }],
    },
    {
      name: 'curl | tee x | sh',
      code: 'FROM debian\nRUN curl -fsSL https://example.com/i.sh | tee x | sh\n',
      errors: [{ line: 2, column: 5, message: ran('https://example.com/i.sh', 'sh') }],
    },
    {
      name: 'into a shell reading its input with -s, through sudo',
      code: 'FROM debian\nRUN curl -sL https://deb.example.com/setup | sudo -E bash -s -- --lts\n',
      errors: [{ line: 2, column: 5, message: ran('https://deb.example.com/setup', 'bash') }],
    },
    {
      name: 'into python reading its program from its input',
      code: 'FROM python:3\nRUN curl -sSL https://install.example.org | python3 - --yes\n',
      errors: [{ line: 2, column: 5, message: ran('https://install.example.org', 'python3') }],
    },
    {
      name: 'sh -c "$(curl …)"',
      code: 'FROM debian\nRUN sh -c "$(curl -fsSL https://example.com/install.sh)"\n',
      errors: [{ line: 2, column: 5, endColumn: 57, message: ran('https://example.com/install.sh', 'sh') }],
    },
    {
      name: 'bash <(curl …)',
      code: 'FROM debian\nRUN bash <(curl -fsSL https://example.com/install.sh)\n',
      errors: [{ line: 2, column: 5, message: ran('https://example.com/install.sh', 'bash') }],
    },
    {
      name: 'eval "$(curl …)"',
      code: 'FROM debian\nRUN eval "$(curl -fsSL https://example.com/env)"\n',
      errors: [{ line: 2, column: 5, message: ran('https://example.com/env', 'eval') }],
    },
    {
      name: 'python3 -c "$(curl …)"',
      code: 'FROM python:3\nRUN python3 -c "$(curl -fsSL https://example.com/x.py)"\n',
      errors: [{ line: 2, column: 5, message: ran('https://example.com/x.py', 'python3') }],
    },
    {
      name: 'inside if',
      code: 'FROM debian\nRUN if [ -n "$X" ]; then \\\n      wget -qO- https://example.com/i.sh | sh; \\\n    fi\n',
      errors: [{ line: 3, column: 7, message: ran('https://example.com/i.sh', 'sh') }],
    },
    {
      name: 'in a function',
      code: 'FROM debian\nRUN setup() { curl -fsSL https://example.com/i.sh | sh; }; setup\n',
      errors: [{ line: 2, column: 15, message: ran('https://example.com/i.sh', 'sh') }],
    },
    {
      name: 'through env',
      code: 'FROM debian\nRUN env HOME=/root curl -fsSL https://example.com/i.sh | env X=1 sh\n',
      errors: [{ line: 2, column: 5, message: ran('https://example.com/i.sh', 'sh') }],
    },
    {
      name: 'ARG URL: unresolved, still a download',
      code: 'FROM debian\nARG URL\nRUN curl -fsSL "$URL" | sh\n',
      errors: [{ line: 3, column: 5, message: ran('"$URL"', 'sh') }],
    },
    {
      name: 'heredoc RUN',
      code: 'FROM debian\nRUN <<EOF\nset -e\ncurl -fsSL https://example.com/i.sh | sh\nEOF\n',
      errors: [{ line: 4, column: 1, message: ran('https://example.com/i.sh', 'sh') }],
    },
    {
      name: 'exec form: the range is inside the JSON string',
      code: 'FROM debian\nRUN ["sh", "-c", "curl -fsSL https://example.com/i.sh | sh"]\n',
      errors: [{ line: 2, column: 19, endColumn: 59, message: ran('https://example.com/i.sh', 'sh') }],
    },
  ],
});
