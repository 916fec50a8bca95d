import { opaqueScript } from '../../../src/lint/rules/scannable/opaque-script.js';
import { ruleTester } from '../rule-tester.js';

const opaque = (reason: string): string =>
  `${reason}: its effect cannot be read from the Dockerfile, so the files it writes cannot be traced. Write its commands in the RUN itself`;
const foreignShell = (reason: string): string =>
  `${reason}: its scripts cannot be read, so what they install cannot be traced. Run installation steps with a POSIX shell`;

ruleTester(opaqueScript, {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
    {
      name: 'a script given inline is read',
      code: "FROM debian\nRUN sh -c 'apt-get update && apt-get install -y curl'\n",
    },
    { name: 'a heredoc script is read', code: 'FROM debian\nRUN <<EOF\nset -e\napt-get update\nEOF\n' },
    {
      name: 'a heredoc run by bash through its #! line',
      code: 'FROM debian\nRUN <<EOF\n#!/usr/bin/env bash\nset -e\napt-get update\nEOF\n',
    },
    {
      name: "a build system's configure script",
      code: 'FROM gcc:14\nCOPY . /src\nRUN cd /src && ./configure --prefix=/usr && make\n',
    },
    {
      name: "downloaded code run by an interpreter is SCN101's",
      code: 'FROM debian\nRUN curl -fsSL https://example.com/i.sh | sh\n',
    },
    {
      name: 'SHELL with a POSIX shell',
      code: 'FROM debian\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN apt-get update\n',
    },
  ],
  invalid: [
    {
      code: 'FROM debian\nCOPY install.sh /tmp/\nRUN sh /tmp/install.sh\n',
      errors: [{ line: 3, column: 5, endColumn: 23, message: opaque('Runs the script /tmp/install.sh') }],
    },
    {
      name: './script',
      code: 'FROM debian\nRUN ./setup.sh --all\n',
      errors: [{ line: 2, column: 5, message: opaque('Runs the script ./setup.sh') }],
    },
    {
      name: 'bash -c "$VAR"',
      code: 'FROM debian\nARG CMD\nRUN bash -c "$CMD"\n',
      errors: [{ line: 3, column: 5, message: opaque('Runs a script that is not known statically: "$CMD"') }],
    },
    {
      name: 'eval of a value not known',
      code: 'FROM debian\nRUN eval "$(dpkg-architecture -s)"\n',
      errors: [
        {
          line: 2,
          column: 5,
          message: opaque('Evaluates a script that is not known statically: "$(dpkg-architecture -s)"'),
        },
      ],
    },
    {
      name: '. ./file',
      code: 'FROM debian\nRUN . ./env.sh && make\n',
      errors: [{ line: 2, column: 5, message: opaque('Sources ./env.sh') }],
    },
    {
      name: 'a command whose name is not known',
      code: 'FROM debian\nARG TOOL\nRUN "$TOOL" --install\n',
      errors: [{ line: 3, column: 5, message: opaque('Runs a command whose name is not known statically: "$TOOL"') }],
    },
    {
      name: 'code in another language',
      code: 'FROM python:3\nRUN python3 setup_env.py\n',
      errors: [{ line: 2, column: 5, message: opaque('Runs the python3 script setup_env.py') }],
    },
    {
      name: 'inside a function, through sudo (the command with its wrapper)',
      code: 'FROM debian\nRUN f() { sudo ./install.sh; }; f\n',
      errors: [{ line: 2, column: 11, message: opaque('Runs the script ./install.sh') }],
    },
    {
      name: 'a heredoc run by python through its #! line',
      code: 'FROM python:3\nRUN <<EOF\n#!/usr/bin/env python3\nimport os\nos.system("make install")\nEOF\n',
      errors: [{ line: 3, column: 1, message: opaque("Runs a python3 script (the heredoc's #! line)") }],
    },
    {
      name: 'a SHELL that is not POSIX',
      code: 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Invoke-WebRequest https://example.com/x.msi -OutFile x.msi\n',
      errors: [
        {
          line: 3,
          column: 5,
          message: foreignShell('Runs with SHELL ["powershell","-Command"], which is not a POSIX shell'),
        },
      ],
    },
    {
      name: 'exec form',
      code: 'FROM debian\nRUN ["/bin/sh", "/opt/setup.sh"]\n',
      errors: [{ line: 2, column: 7, message: opaque('Runs the script /opt/setup.sh') }],
    },
  ],
});
