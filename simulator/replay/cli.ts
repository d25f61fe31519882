import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { runReplay } from './run.js';

const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

const program = new Command()
  .name('npm run replay --')
  .description(
    'Replays real interval-consumption CSV files (one per meter, <building>_<electricity|gas|water|heat>.csv, ' +
      'like ../shared/data/cambridge-2018) as meters would: registers accumulated hour by hour, published over MQTT ' +
      'through one gateway per building, optionally with faults.',
  )
  .argument('<dir>', 'directory of CSV files')
  .option('--broker <url>', 'MQTT broker', 'mqtt://localhost:1883')
  .option('--api <url>', 'platform API: the registry is pushed there (PUT /api/v1/registry) and injected events posted')
  .option('--token <token>', 'admin API token for --api')
  .option('--registry-out <file>', 'write the registry JSON here')
  .option('--speed <x>', 'simulated seconds per real second (default: as fast as the broker takes it)', num('--speed'))
  .option('--batch-size <n>', 'readings per MQTT message', num('--batch-size'), 100)
  .option('--initial-register <value>', 'register value at the first hour', num('--initial-register'), 1000)
  .option('--seed <n>', 'seed of the fault injection', num('--seed'), 1)
  .option('--duplicates <share>', 'share of readings sent twice (e.g. 0.05)', num('--duplicates'), 0)
  .option('--shuffle', 'send the readings in random order (out-of-order gateway uploads)', false)
  .option('--gaps <n>', 'drop n readings (gaps)', num('--gaps'), 0)
  .option('--rollover <meter>', 'start this meter near its register modulus (1,000,000) so that it rolls over')
  .option('--replace <meter>', 'replace this meter half way through the data (posted as a lifecycle event with --api)')
  .parse();

const o = program.opts<{
  broker: string;
  api?: string;
  token?: string;
  registryOut?: string;
  speed?: number;
  batchSize: number;
  initialRegister: number;
  seed: number;
  duplicates: number;
  shuffle: boolean;
  gaps: number;
  rollover?: string;
  replace?: string;
}>();
const [dir] = program.args as [string];
if (o.api !== undefined && o.token === undefined) program.error('--api needs --token');
const bar = new cliProgress.SingleBar(
  { format: 'replay |{bar}| {percentage}% {value}/{total} readings', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
let started = false;
const result = await runReplay({
  dir,
  brokerUrl: o.broker,
  ...(o.api !== undefined && o.token !== undefined ? { api: { url: o.api, token: o.token } } : {}),
  ...(o.registryOut === undefined ? {} : { registryOut: o.registryOut }),
  ...(o.speed === undefined ? {} : { speed: o.speed }),
  batchSize: o.batchSize,
  initialRegister: o.initialRegister,
  faults: {
    seed: o.seed,
    duplicates: o.duplicates,
    shuffle: o.shuffle,
    gaps: o.gaps,
    ...(o.rollover === undefined ? {} : { rollover: { meterId: o.rollover, modulus: 1_000_000, belowTop: 20_000 } }),
    ...(o.replace === undefined ? {} : { replace: { meterId: o.replace, atIndex: 4000, newInitial: 12.5 } }),
  },
  onProgress: (published, total) => {
    if (!started) {
      bar.start(total, 0);
      started = true;
    }
    bar.update(published);
  },
});
bar.stop();
console.log(
  `replayed ${result.series.length} meters: ${result.readings} readings in ${result.messages} messages` +
    (result.replacement
      ? `; replaced ${result.replacement.meterId} at ${new Date(result.replacement.tsMs).toISOString()}`
      : ''),
);
