import { undefinedVar } from '../../../src/lint/rules/buildkit/undefined-var.js';
import { ruleTester } from '../rule-tester.js';

const msg = (v: string, s?: string): string =>
  `Usage of undefined variable '$${v}'${s ? ` (did you mean $${s}?)` : ''}`;

ruleTester(undefinedVar, {
  valid: [
    '\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n',
    '\nFROM alpine AS base\nARG foo=Dockerfile\n\nFROM base\nCOPY $foo .\n',
    '\nFROM alpine\nRUN echo $PATH $UNDEFINED_IN_SHELL_IS_NOT_CHECKED\n',
    { name: 'an ARG of the same instruction declares it for the next default', code: 'FROM alpine\nARG A B=$A\n' },
    { name: 'a quoted heredoc is not expanded', code: "FROM alpine\nCOPY <<'EOF' /x\n$NOPE\nEOF\n" },
    { name: 'BuildKit SBOM args are never reported', code: 'FROM alpine\nCOPY $BUILDKIT_SBOM_SCAN_STAGE /x\n' },
    { name: 'global ARG redeclared in the stage', code: 'ARG V=1\nFROM alpine\nARG V\nWORKDIR /v$V\n' },
  ],
  invalid: [
    {
      code: '\nFROM alpine\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n',
      errors: [{ line: 3, column: 1, message: msg('foo') }],
    },
    {
      code: '\nFROM alpine\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\nARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n',
      errors: [{ line: 6, column: 1, message: msg('DIR_ASSET', 'DIR_ASSETS') }],
    },
    {
      code: '\nFROM alpine\nENV PATH=$PAHT:/tmp/bin\n',
      errors: [{ line: 3, column: 1, message: msg('PAHT', 'PATH') }],
    },
    {
      name: 'global ARGs must be declared again in the stage',
      code: 'ARG V=1\nFROM alpine\nWORKDIR /v$V\n',
      errors: [{ line: 3, column: 1, message: msg('V') }],
    },
    {
      name: 'every expanded word: ENV keys, LABEL, USER, VOLUME, STOPSIGNAL, COPY flags, mounts, heredoc files',
      code:
        'FROM alpine\nENV ${K}=1\nLABEL l=$L\nUSER $U\nVOLUME $VOL\nSTOPSIGNAL $SIG\nCOPY --chown=$OWN a /a\nADD --checksum=$SUM a /b\n' +
        'RUN --mount=type=cache,target=$CACHE true\nCOPY <<EOF /c\n$BODY\nEOF\n',
      errors: [
        { line: 2, column: 1, message: msg('K') },
        { line: 3, column: 1, message: msg('L') },
        { line: 4, column: 1, message: msg('U') },
        { line: 5, column: 1, message: msg('VOL') },
        { line: 6, column: 1, message: msg('SIG') },
        { line: 7, column: 1, message: msg('OWN') },
        { line: 8, column: 1, message: msg('SUM') },
        { line: 9, column: 1, message: msg('CACHE') },
        { line: 10, column: 1, endLine: 12, message: msg('BODY') },
      ],
    },
    {
      name: 'each word reports its own use',
      code: 'FROM alpine\nCOPY $X/a $X/b /d/\n',
      errors: [
        { line: 2, column: 1, message: msg('X') },
        { line: 2, column: 1, message: msg('X') },
      ],
    },
    {
      name: 'on a tie, the name assigned least recently wins (BuildKit moves a re-assigned name to the end), across stages too',
      code: 'FROM alpine AS a\nENV FOO1=a\nENV FOO2=b\nENV FOO1=c\nCOPY $FOO /x\nFROM a\nENV FOO2=d\nCOPY $FOO /y\n',
      errors: [
        { line: 5, column: 1, message: msg('FOO', 'FOO2') },
        { line: 8, column: 1, message: msg('FOO', 'FOO1') },
      ],
    },
    { name: 'an ARG default', code: 'FROM alpine\nARG A=$B\n', errors: [{ line: 2, column: 1, message: msg('B') }] },
  ],
});
