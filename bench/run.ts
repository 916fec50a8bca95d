/** `npm run bench`: every benchmark, each against its peer measured in the same run. */
import { benchBuild, printBuildBench } from './build.js';
import { loadCorpus } from './corpus.js';
import { benchLint, printLintBench } from './lint.js';
import { benchParse, printParseBench } from './parse.js';
import { benchVerdicts, printVerdicts } from './verdicts.js';

const only = process.argv[2];
const files = loadCorpus();
console.log(`corpus: ${files.length} files`);
if (!only || only === 'parse') printParseBench(benchParse(files));
if (!only || only === 'lint') printLintBench(benchLint(files));
if (!only || only === 'build') printBuildBench(benchBuild());
if (!only || only === 'verdicts') printVerdicts(await benchVerdicts());
