import { unpinnedGitSource } from '../../../src/lint/rules/scannable/unpinned-git-source.js';
import { ruleTester } from '../rule-tester.js';

const cloned = (url: string, ref?: string): string =>
  `git clone of ${url} is not pinned to a commit${ref ? ` (${ref} can move)` : ' (it takes the default branch)'}: check out a full commit id after cloning (git checkout <commit>)`;
const added = (src: string, ref?: string): string =>
  `ADD ${src} is not pinned to a commit${ref ? ` (${ref} can move)` : ''}: add #<full commit id> to the URL, or --checksum=<commit id>`;
const COMMIT = '0f6b8bd1c4a5e9d2e3f7a1b2c3d4e5f60718293a';

ruleTester(unpinnedGitSource, {
  valid: [
    {
      name: 'clone, then check out a commit',
      code: `FROM alpine/git\nRUN git clone https://github.com/example/repo.git && cd repo && git checkout ${COMMIT}\n`,
    },
    {
      name: 'git -C dir checkout',
      code: `FROM alpine/git\nRUN git clone https://github.com/example/repo /src && git -C /src checkout ${COMMIT}\n`,
    },
    {
      name: 'reset --hard to a commit',
      code: `FROM alpine/git\nRUN git clone https://github.com/example/repo /src && cd /src && git reset --hard ${COMMIT}\n`,
    },
    {
      name: 'a local clone copies a repository already there',
      code: 'FROM alpine/git\nCOPY . /repo\nRUN git clone /repo /src\n',
    },
    { name: 'ADD with a commit', code: `FROM alpine\nADD https://github.com/example/repo.git#${COMMIT} /src\n` },
    {
      name: 'ADD with a commit and a subdirectory',
      code: `FROM alpine\nADD https://github.com/example/repo.git#${COMMIT}:cmd /src\n`,
    },
    {
      name: 'ADD --checksum pins a git source',
      code: `FROM alpine\nADD --checksum=${COMMIT} https://github.com/example/repo.git#v1.0 /src\n`,
    },
    { name: "an ADD URL that is not git is SCN103's", code: 'FROM alpine\nADD https://example.com/app.tgz /opt/\n' },
  ],
  invalid: [
    {
      code: 'FROM alpine/git\nRUN git clone https://github.com/example/repo.git\n',
      errors: [{ line: 2, column: 5, endColumn: 50, message: cloned('https://github.com/example/repo.git') }],
    },
    {
      name: 'a tag can move',
      code: 'FROM alpine/git\nRUN git clone --depth 1 -b v1.2.3 https://github.com/example/repo.git /src\n',
      errors: [{ line: 2, column: 5, message: cloned('https://github.com/example/repo.git', 'v1.2.3') }],
    },
    {
      name: 'checked out at a branch',
      code: 'FROM alpine/git\nRUN git clone https://github.com/example/repo.git && cd repo && git checkout main\n',
      errors: [{ line: 2, column: 5, message: cloned('https://github.com/example/repo.git', 'main') }],
    },
    {
      name: 'a ref from an ARG',
      code: 'FROM alpine/git\nARG REF\nRUN git clone --branch "$REF" git@github.com:example/repo.git\n',
      errors: [{ line: 3, column: 5, message: cloned('git@github.com:example/repo.git', '"$REF"') }],
    },
    {
      name: 'through sudo, in an if',
      code: 'FROM debian\nRUN if true; then sudo git clone https://example.com/r.git; fi\n',
      errors: [{ line: 2, column: 19, message: cloned('https://example.com/r.git') }],
    },
    {
      name: 'ADD at a tag',
      code: 'FROM alpine\nADD https://github.com/example/repo.git#v1.0 /src\n',
      errors: [
        { line: 2, column: 5, endColumn: 45, message: added('https://github.com/example/repo.git#v1.0', 'v1.0') },
      ],
    },
    {
      name: 'ADD without a ref',
      code: 'FROM alpine\nADD --keep-git-dir=true git@github.com:example/repo.git /src\n',
      errors: [{ line: 2, column: 25, message: added('git@github.com:example/repo.git') }],
    },
  ],
});
