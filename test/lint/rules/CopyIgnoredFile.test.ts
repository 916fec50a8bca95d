import { copyIgnoredFile } from '../../../src/lint/rules/buildkit/copy-ignored-file.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(copyIgnoredFile, {
  valid: [
    { name: 'no .dockerignore', code: 'FROM scratch\nCOPY Dockerfile .\n' },
    {
      code: 'FROM scratch AS base\nCOPY Dockerfile /foobar\nADD Dockerfile /windy\nFROM base\nCOPY --from=base /foobar /Dockerfile\n',
      dockerignore: ['foobar'],
    },
    {
      name: 'COPY --from reads a stage, not the context',
      code: 'FROM scratch AS a\nFROM scratch\nCOPY --from=a dist/app /app\n',
      dockerignore: ['dist'],
    },
    {
      name: 'URLs are not context files',
      code: 'FROM scratch\nADD https://example.com/dist/x.tgz /x\n',
      dockerignore: ['https:'],
    },
    {
      name: 'a later exclusion re-includes',
      code: 'FROM scratch\nCOPY docs/README.md /\n',
      dockerignore: ['docs', '!docs/README.md'],
    },
    {
      name: 'BuildKit matches the path as written: ./x is not x',
      code: 'FROM scratch\nCOPY ./secret.txt /\n',
      dockerignore: ['secret.txt'],
    },
    {
      name: 'nor is /x (an empty variable before the slash)',
      code: 'FROM scratch\nCOPY $DIR/keep.txt /\n',
      dockerignore: ['keep.txt'],
    },
  ],
  invalid: [
    {
      code: 'FROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n',
      dockerignore: ['Dockerfile'],
      errors: [
        { line: 2, column: 1, message: 'Attempting to Copy file "Dockerfile" that is excluded by .dockerignore' },
        { line: 3, column: 1, message: 'Attempting to Add file "Dockerfile" that is excluded by .dockerignore' },
      ],
    },
    {
      name: 'a parent directory is excluded, patterns with ** and *',
      code: 'FROM scratch\nCOPY node_modules/x/index.js /\nCOPY src/a.test.js /\n',
      dockerignore: ['**/node_modules', 'src/*.test.js'],
      errors: [
        {
          line: 2,
          column: 1,
          message: 'Attempting to Copy file "node_modules/x/index.js" that is excluded by .dockerignore',
        },
        { line: 3, column: 1, message: 'Attempting to Copy file "src/a.test.js" that is excluded by .dockerignore' },
      ],
    },
  ],
});
