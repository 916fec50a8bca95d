/** fast-check generators shared by the fuzz tests and `npm run fuzz`. */
import fc from 'fast-check';

const keywords = [
  'FROM',
  'RUN',
  'COPY',
  'ADD',
  'ENV',
  'ARG',
  'LABEL',
  'CMD',
  'ENTRYPOINT',
  'ONBUILD',
  'HEALTHCHECK',
  'SHELL',
  'WORKDIR',
  'USER',
  'EXPOSE',
  'VOLUME',
  'STOPSIGNAL',
  'MAINTAINER',
  'from',
  'Run',
  'BOGUS',
];
const pieces = [
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\\\n',
  '`\n',
  '\\',
  '`',
  '#',
  '# escape=`\n',
  '# syntax=x\n',
  '# check=skip=all\n',
  '"',
  "'",
  '[',
  ']',
  '","',
  '=',
  '$',
  '${',
  '}',
  ':-',
  '<<',
  '<<-',
  "<<'EOF'",
  '<<EOF',
  'EOF\n',
  '\nEOF\n',
  '--mount=type=cache,target=/x',
  '--from=a',
  '--chown=1:1',
  '--',
  '-',
  'AS',
  'as',
  'a',
  'b=c',
  '$a',
  '${a:-b}',
  '&&',
  '|',
  '\u00a0',
  '\u2028',
  '\ufeff',
  'é',
  '\u0085',
  '\0',
];

/** Text assembled from Dockerfile keywords and the characters that matter to the parser. */
export function dockerfileLike(): fc.Arbitrary<string> {
  const token = fc.oneof(fc.constantFrom(...keywords), fc.constantFrom(...pieces), fc.string({ maxLength: 4 }));
  return fc.array(token, { maxLength: 80 }).map((parts) => parts.join(''));
}

/** Deletes, duplicates and inserts at the given cut points. */
export function mutate(seed: string, cuts: number[], insert: string): string {
  let s = seed;
  cuts.forEach((c, i) => {
    const at = s.length === 0 ? 0 : c % s.length;
    switch (i % 3) {
      case 0:
        s = s.slice(0, at) + insert + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + (c % 13));
        break;
      default:
        s = s.slice(0, at) + s.slice(at, at + (c % 29)) + s.slice(at);
    }
  });
  return s;
}
