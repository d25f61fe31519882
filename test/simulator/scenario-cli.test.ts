import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFleet } from '../../simulator/fleet.js';
import { labelsToJsonLines, parseLabelsJsonLines } from '../../simulator/labels.js';
import { planScenario } from '../../simulator/planner.js';
import { FleetPublisher } from '../../simulator/publisher.js';
import { startCaptureBroker } from './capture-broker.js';
import { simulatorCli } from './run-cli.js';

const FROM = '2026-11-16T00:00:00+08:00';
const TO = '2026-11-18T00:00:00+08:00';

const cli = simulatorCli;

const toClose: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c.close();
});

describe('simulator CLI with faults and anomalies', () => {
  it('documents the scenario options', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    for (const option of [
      '--fault-rate',
      '--anomaly-rate',
      '--labels-out',
      '--kinds',
      'month-over-target',
      'late-upload',
    ])
      expect(stdout).toContain(option);
  });

  it('writes the labels the planner gives for the same seed, window and kinds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jieneng-sim-'));
    try {
      const file = join(dir, 'labels.jsonl');
      const args = ['--seed', '4', '--districts', '2', '--institutions', '5', '--from', FROM, '--to', TO];
      const { code, stderr } = await cli(
        ...args,
        '--fault-rate',
        '20',
        '--anomaly-rate',
        '10',
        '--kinds',
        'gap,spike,offline',
        '--labels-out',
        file,
        '--no-backfill',
      );
      expect(code).toBe(0);
      const text = await readFile(file, 'utf8');
      const fleet = buildFleet({ seed: 4, districts: 2, institutions: 5 });
      const want = planScenario(fleet, {
        seed: 4,
        fromMs: Date.parse(FROM),
        toMs: Date.parse(TO),
        faultRate: 20,
        anomalyRate: 10,
        kinds: ['gap', 'spike', 'offline'],
      });
      expect(want.labels.length).toBeGreaterThan(0);
      expect(text).toBe(labelsToJsonLines(want.labels));
      expect(new Set(parseLabelsJsonLines(text).map((l) => l.kind))).toEqual(new Set(['gap', 'spike', 'offline']));
      expect(stderr).toContain(`scenario: ${want.labels.length} faults and anomalies`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('publishes the scenario it planned', async () => {
    const broker = await startCaptureBroker();
    toClose.push(broker);
    const args = [
      '--seed',
      '6',
      '--districts',
      '1',
      '--institutions',
      '2',
      '--from',
      FROM,
      '--to',
      '2026-11-17T00:00:00+08:00',
    ];
    const { code } = await cli(...args, '--fault-rate', '30', '--anomaly-rate', '10', '--broker', broker.url);
    expect(code).toBe(0);
    const fleet = buildFleet({ seed: 6, districts: 1, institutions: 2 });
    const fromMs = Date.parse(FROM);
    const toMs = fromMs + 86_400_000;
    const scenario = planScenario(fleet, { seed: 6, fromMs, toMs, faultRate: 30, anomalyRate: 10 });
    const direct = await startCaptureBroker();
    toClose.push(direct);
    const publisher = new FleetPublisher({ fleet, brokerUrl: direct.url, scenario });
    toClose.push(publisher);
    const result = await publisher.backfill(fromMs, toMs);
    await expect.poll(() => direct.messages.length).toBe(result.messages);
    await expect.poll(() => broker.messages.length).toBe(result.messages);
    expect(broker.byGateway()).toEqual(direct.byGateway());
  });

  it('refuses unknown kinds and negative rates', async () => {
    const kinds = await cli('--kinds', 'gap,flood', '--no-backfill');
    expect(kinds.code).not.toBe(0);
    expect(kinds.stderr).toContain('--kinds');
    const rate = await cli('--fault-rate', '-1', '--no-backfill');
    expect(rate.code).not.toBe(0);
    expect(rate.stderr).toContain('--fault-rate');
  });
});
