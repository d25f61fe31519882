import { Command } from 'commander';
import { report } from './harness.js';
import { benchIngest } from './ingest.js';

const program = new Command()
  .name('npm run bench --')
  .description('Jieneng benchmarks: each figure beside a baseline measured in the same run; results in bench/results/')
  .option('--quick', 'a short run (under a minute), as CI can afford', false)
  .parse();

const { quick } = program.opts<{ quick: boolean }>();
const mode = quick ? 'quick' : 'full';
console.log(`Running ${mode} benchmarks…`);
const figures = [...(await benchIngest({ quick }))];
await report(figures, mode);
