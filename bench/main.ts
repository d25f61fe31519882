import os from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { benchBacklog } from './backlog.js';
import { benchDurability } from './durability.js';
import { type Figure, progress, report } from './harness.js';
import { benchInflux } from './influx.js';
import { benchIngest } from './ingest.js';
import { benchLatency } from './latency.js';
import { benchLogins } from './logins.js';
import { benchMemory } from './memory.js';
import { benchMetadata } from './metadata.js';
import { benchMvSpeed } from './mv-speed.js';
import { benchProvince } from './province.js';
import { benchQuery } from './query.js';
import { benchRecompute } from './recompute.js';
import { benchRegistryImport } from './registry-import.js';
import { benchReports } from './reports.js';
import { benchScale } from './scale.js';
import { benchScaleInflux } from './scale-influx.js';
import { benchSoak, parseDuration } from './soak.js';
import { benchStatutory } from './statutory.js';
import { benchTree } from './tree.js';

/** Figure groups, in the order they run. */
const GROUPS: Record<string, (opts: { quick: boolean; meters?: number[] }) => Promise<Figure[]>> = {
  ingest: benchIngest,
  latency: benchLatency,
  query: benchQuery,
  memory: benchMemory,
  durability: benchDurability,
  recompute: (o) => benchRecompute({ ...o, log: progress }),
  reports: benchReports,
  influx: (o) => benchInflux({ ...o, log: progress }),
  backlog: benchBacklog,
  metadata: benchMetadata,
  'registry-import': benchRegistryImport,
  tree: benchTree,
  statutory: benchStatutory,
  scale: benchScale,
  'scale-influx': benchScaleInflux,
  mv: benchMvSpeed,
  province: benchProvince,
  logins: benchLogins,
};

const program = new Command()
  .name('npm run bench --')
  .description('Jieneng benchmarks: each figure beside a baseline measured in the same run; results in bench/results/')
  .option('--quick', 'a short run (under a minute), as CI can afford', false)
  .option('--only <names>', `comma-separated groups to run (${Object.keys(GROUPS).join(', ')})`)
  .option(
    '--meters <sizes>',
    'scale and scale-influx groups: comma-separated fleet sizes, each a year of hourly data (default 1500,6000,24000,35000,96000; scale-influx 1500,6000)',
    (text: string) =>
      text.split(',').map((s) => {
        const n = Number(s.trim());
        if (!Number.isInteger(n) || n < 10) throw new InvalidArgumentError(`not a meter count: "${s}"`);
        return n;
      }),
  )
  .option(
    '--soak <duration>',
    'also run a soak of this duration (e.g. 10m, 2h): RSS and p95 latency, first vs last minute',
  )
  .parse();

const opts = program.opts<{ quick: boolean; only?: string; soak?: string; meters?: number[] }>();
const names = opts.only === undefined ? Object.keys(GROUPS) : opts.only.split(',').map((s) => s.trim());
const unknown = names.filter((n) => !(n in GROUPS));
if (unknown.length > 0)
  program.error(`unknown group(s): ${unknown.join(', ')}; known: ${Object.keys(GROUPS).join(', ')}`);

// Interrupted: exit so that the exit handler of proc.ts stops children and removes temp dirs.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const mode = opts.quick ? 'quick' : 'full';
const suffix = opts.only === undefined ? '' : `-${names.join('-')}`;
progress(`running ${mode} benchmarks: ${names.join(', ')}`);
const [load1m = 0] = os.loadavg();
if (load1m > os.cpus().length / 2)
  progress(
    `warning: the machine is busy (load average ${load1m.toFixed(1)} on ${os.cpus().length} CPUs): figures will be low`,
  );
const figures: Figure[] = [];
const groupOpts = { quick: opts.quick, ...(opts.meters === undefined ? {} : { meters: opts.meters }) };
for (const name of names) figures.push(...(await (GROUPS[name] as (typeof GROUPS)[string])(groupOpts)));
if (opts.soak !== undefined) figures.push(...(await benchSoak({ durationMs: parseDuration(opts.soak) })));
await report(figures, `${mode}${suffix}${opts.soak === undefined ? '' : '-soak'}`);
progress('done');
// mqtt.js and DuckDB may keep handles open for a moment; everything we opened is closed.
process.exit(0);
