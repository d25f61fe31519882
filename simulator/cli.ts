/**
 * Command line of the simulator: builds a seeded city, writes or pushes its registry, plans a
 * scenario of faults and anomalies (with its labels file), back-fills readings over MQTT and
 * optionally keeps publishing live. `npx tsx simulator/cli.ts --help`. The logic lives in
 * fleet.ts, planner.ts and publisher.ts, which the platform's demo mode calls directly.
 */
import { writeFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { RegistryInput } from '../core/domain/registry.js';
import { isValidTimeZone, parseLocalDateTime } from '../core/domain/time.js';
import { buildFleet } from './fleet.js';
import { type LabelKind, labelsToJsonLines, PLANNED_LABEL_KINDS } from './labels.js';
import { planScenario } from './planner.js';
import { FleetPublisher } from './publisher.js';
import type { Scenario } from './scenario.js';

const DAY_MS = 86_400_000;

function integer(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`an integer from ${min} to ${max}`);
    return n;
  };
}

function positive(text: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('a positive number');
  return n;
}

function nonNegative(text: string): number {
  const n = Number(text);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('a number ≥ 0');
  return n;
}

function kindList(text: string): LabelKind[] {
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const unknown = kinds.filter((k) => !(PLANNED_LABEL_KINDS as readonly string[]).includes(k));
  if (kinds.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(`a comma-separated list of: ${PLANNED_LABEL_KINDS.join(', ')}`);
  return kinds as LabelKind[];
}

/** Parses `now`, epoch ms, ISO with offset, or local `YYYY-MM-DD[THH:mm]` in the time zone. */
function parseInstant(text: string, timeZone: string): number | undefined {
  if (text === 'now') return Date.now();
  if (/^\d{10,}$/.test(text)) return Number(text);
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return parseLocalDateTime(text, timeZone);
}

interface CliOptions {
  districts: number;
  institutions: number;
  meters?: number;
  seed: number;
  interval: number;
  from?: string;
  to?: string;
  backfill: boolean;
  live: boolean;
  speed: number;
  broker: string;
  registryOut?: string;
  api?: string;
  token?: string;
  batchSize: number;
  maxClients: number;
  maxInFlight: number;
  timeZone: string;
  tsFormat: 'iso' | 'epoch-ms';
  faultRate: number;
  anomalyRate: number;
  kinds?: LabelKind[];
  labelsOut?: string;
}

function program(): Command {
  return new Command('simulate')
    .description('Simulate a city of public buildings whose gateways publish meter registers to Jieneng over MQTT.')
    .option('--districts <n>', 'districts', integer(1, 1000), 3)
    .option('--institutions <n>', 'institutions', integer(0, 100_000), 40)
    .option('--meters <n>', 'meters wanted (default 10 per institution)', integer(0, 10_000_000))
    .option('--seed <n>', 'random seed: the same seed gives the same city and readings', integer(0, 2 ** 31 - 1), 1)
    .option('--interval <seconds>', 'seconds between readings', integer(60, 3600), 900)
    .option(
      '--from <time>',
      'back-fill start: YYYY-MM-DD[THH:mm] local, ISO with offset, or epoch ms (default: 7 days before --to)',
    )
    .option('--to <time>', 'back-fill end, exclusive (default: now)')
    .option('--no-backfill', 'publish no back-fill')
    .option('--live', 'after the back-fill, keep publishing each interval', false)
    .option('--speed <x>', 'live: simulated seconds per real second', positive, 1)
    .option('--broker <url>', 'MQTT broker', 'mqtt://localhost:1883')
    .option('--registry-out <file>', 'write the registry JSON (for PUT /api/v1/registry) to a file')
    .option('--api <url>', 'push the registry to this Jieneng API before publishing, e.g. http://localhost:8080')
    .option('--token <token>', 'admin API token for --api')
    .option('--batch-size <n>', 'readings per MQTT message', integer(1, 10_000), 100)
    .option('--max-clients <n>', 'gateway connections open at once', integer(1, 100_000), 500)
    .option('--max-in-flight <n>', 'QoS 1 publishes awaiting PUBACK at once', integer(1, 100_000), 1000)
    .option('--time-zone <tz>', 'time zone of the city', 'Asia/Shanghai')
    .addOption(new Option('--ts-format <format>', 'reading timestamps').choices(['iso', 'epoch-ms']).default('iso'))
    .option(
      '--fault-rate <x>',
      'faults per 30 days per meter (rollover, replace, gap, duplicate) and per gateway (late-upload, offline, clock-skew, malformed), injected in [--from, --to)',
      nonNegative,
      0,
    )
    .option(
      '--anomaly-rate <x>',
      'anomalies per 30 days per meter (spike, stuck, leak, step) and per institution (after-hours, month-over-target)',
      nonNegative,
      0,
    )
    .option('--kinds <list>', `only these kinds, comma-separated: ${PLANNED_LABEL_KINDS.join(',')}`, kindList)
    .option('--labels-out <file>', 'write the ground-truth labels of the injected events as JSON lines')
    .addHelpText(
      'after',
      `
Rates are shared equally by the enabled kinds of each group; a step stays after --to, other
events lie in [--from, --to) (a month over target covers a calendar month). The same seed and
options give the same labels and messages.

Examples:
  npx tsx simulator/cli.ts --registry-out registry.json --no-backfill
  npx tsx simulator/cli.ts --api http://localhost:8080 --token "$TOKEN" --from 2026-11-01 --live
  npx tsx simulator/cli.ts --from 2026-11-01 --to 2026-12-01 --fault-rate 1 --anomaly-rate 0.5 --labels-out labels.jsonl`,
    );
}

async function pushRegistry(api: string, token: string | undefined, registry: RegistryInput): Promise<void> {
  const url = `${api.replace(/\/+$/, '')}/api/v1/registry`;
  const response = await fetch(url, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(registry),
  });
  if (!response.ok)
    throw new Error(`PUT ${url} answered ${response.status}: ${(await response.text()).slice(0, 2000)}`);
}

async function run(opts: CliOptions): Promise<void> {
  if (!isValidTimeZone(opts.timeZone)) throw new Error(`unknown time zone "${opts.timeZone}"`);
  const toMs = opts.to === undefined ? Date.now() : parseInstant(opts.to, opts.timeZone);
  const fromMs = opts.from === undefined ? (toMs ?? 0) - 7 * DAY_MS : parseInstant(opts.from, opts.timeZone);
  if (toMs === undefined) throw new Error(`--to: cannot read "${opts.to}"`);
  if (fromMs === undefined) throw new Error(`--from: cannot read "${opts.from}"`);
  if (fromMs > toMs) throw new Error('--from is after --to');

  const fleet = buildFleet({
    seed: opts.seed,
    districts: opts.districts,
    institutions: opts.institutions,
    intervalS: opts.interval,
    ...(opts.meters === undefined ? {} : { metersTarget: opts.meters }),
  });
  const { registry } = fleet;
  console.error(
    `fleet: ${registry.districts.length} districts, ${registry.institutions.length} institutions, ` +
      `${registry.buildings.length} buildings, ${registry.gateways.length} gateways, ${registry.meters.length} meters`,
  );
  if (opts.registryOut !== undefined) {
    await writeFile(opts.registryOut, `${JSON.stringify(registry, null, 2)}\n`);
    console.error(`registry written to ${opts.registryOut}`);
  }
  if (opts.api !== undefined) {
    await pushRegistry(opts.api, opts.token, registry);
    console.error(`registry pushed to ${opts.api}`);
  }
  let scenario: Scenario | undefined;
  if (opts.faultRate > 0 || opts.anomalyRate > 0) {
    scenario = planScenario(fleet, {
      seed: opts.seed,
      fromMs,
      toMs,
      faultRate: opts.faultRate,
      anomalyRate: opts.anomalyRate,
      timeZone: opts.timeZone,
      intervalS: opts.interval,
      ...(opts.kinds === undefined ? {} : { kinds: opts.kinds }),
    });
    console.error(`scenario: ${scenario.labels.length} faults and anomalies`);
  }
  if (opts.labelsOut !== undefined) {
    await writeFile(opts.labelsOut, labelsToJsonLines(scenario?.labels ?? []));
    console.error(`labels written to ${opts.labelsOut}`);
  }
  if (!opts.backfill && !opts.live) return;

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const publisher = new FleetPublisher({
    fleet,
    brokerUrl: opts.broker,
    intervalS: opts.interval,
    batchSize: opts.batchSize,
    maxClients: opts.maxClients,
    maxInFlight: opts.maxInFlight,
    timeZone: opts.timeZone,
    timestampFormat: opts.tsFormat,
    onClientError: (gatewayId, error) => console.error(`gateway ${gatewayId}: ${error.message}`),
    ...(scenario === undefined ? {} : { scenario }),
  });
  try {
    if (opts.backfill) {
      const bar = new cliProgress.SingleBar(
        {
          format: 'back-fill {bar} {percentage}% | {value}/{total} readings | {rate} readings/s | ETA {eta_formatted}',
        },
        cliProgress.Presets.shades_classic,
      );
      const startedMs = Date.now();
      bar.start(0, 0, { rate: 0 });
      const result = await publisher.backfill(
        fromMs,
        toMs,
        (p) => {
          const rate = Math.round(p.published / Math.max(0.001, (Date.now() - startedMs) / 1000));
          bar.setTotal(p.total);
          bar.update(p.published, { rate });
        },
        stop.signal,
      );
      bar.stop();
      const seconds = (Date.now() - startedMs) / 1000;
      console.error(`back-fill: ${result.readings} readings in ${result.messages} messages, ${seconds.toFixed(1)} s`);
    }
    if (opts.live && !stop.signal.aborted) {
      console.error(`live: every ${opts.interval} s of simulated time at ${opts.speed}× (Ctrl-C to stop)`);
      await publisher.live({
        speed: opts.speed,
        intervalS: opts.interval,
        signal: stop.signal,
        startMs: toMs,
        onStep: (s) => console.error(`${new Date(s.tsMs).toISOString()}: ${s.readings} readings`),
      });
    }
  } finally {
    await publisher.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

program()
  .action(async (opts: CliOptions) => run(opts))
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
