/** `npm run bench`: every benchmark, each against its peer measured in the same run. */
import { loadCorpus } from './corpus.js';
import { benchParse, printParseBench } from './parse.js';

const files = loadCorpus();
console.log(`corpus: ${files.length} files`);
printParseBench(benchParse(files));
