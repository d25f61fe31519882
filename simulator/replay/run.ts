import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryInput } from '../../core/domain/registry.js';
import { publishReplay } from './publish.js';
import {
  applyTransportFaults,
  type InjectedReplacement,
  type ReplayFaults,
  type ReplayReading,
  registerReadings,
} from './registers.js';
import { type IntervalSeries, parseAreasCsv, parseSeriesCsv, replayRegistry, seriesFileName } from './series.js';

/** Options of a replay run. */
export interface ReplayOptions {
  readonly dir: string;
  readonly brokerUrl: string;
  /** Platform API base URL and admin token: the registry is pushed and injected events posted. */
  readonly api?: { readonly url: string; readonly token: string };
  readonly registryOut?: string;
  readonly faults: ReplayFaults;
  readonly initialRegister?: number;
  readonly batchSize?: number;
  readonly speed?: number;
  readonly secretFor?: (gatewayId: string) => string;
  readonly onProgress?: (published: number, total: number) => void;
}

/** What a replay did. */
export interface ReplayResult {
  readonly registry: RegistryInput;
  readonly series: IntervalSeries[];
  readonly readings: number;
  readonly messages: number;
  readonly replacement?: InjectedReplacement;
}

/** Loads every `<building>_<kind>.csv` series of a directory (and floor areas when present). */
export async function loadSeries(dir: string): Promise<{ series: IntervalSeries[]; areas: Map<string, number> }> {
  const names = (await readdir(dir)).sort();
  const series: IntervalSeries[] = [];
  for (const name of names) {
    const f = seriesFileName(name);
    if (f !== undefined) series.push(parseSeriesCsv(await readFile(join(dir, name), 'utf8'), f.buildingId, f.kind));
  }
  if (series.length === 0) throw new Error(`no <building>_<kind>.csv files in ${dir}`);
  const areasFile = names.find((n) => n.includes('area'));
  const areas = areasFile ? parseAreasCsv(await readFile(join(dir, areasFile), 'utf8')) : new Map<string, number>();
  return { series, areas };
}

async function callApi(
  api: { url: string; token: string },
  method: string,
  path: string,
  body: unknown,
): Promise<void> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/**
 * Replays a directory of interval-consumption files as meters would: registers accumulated per
 * hour, published over MQTT through one gateway per building, with the faults asked for. An
 * injected replacement is posted to the API as a lifecycle event after the readings.
 */
export async function runReplay(opts: ReplayOptions): Promise<ReplayResult> {
  const { series, areas } = await loadSeries(opts.dir);
  const secretFor = opts.secretFor ?? ((id: string) => `replay-secret-${id}`);
  const registry = replayRegistry(series, areas, {
    secretFor,
    ...(opts.faults.rollover ? { rollover: opts.faults.rollover } : {}),
  });
  if (opts.registryOut !== undefined) await writeFile(opts.registryOut, `${JSON.stringify(registry, null, 2)}\n`);
  if (opts.api !== undefined) await callApi(opts.api, 'PUT', '/api/v1/registry', registry);
  const all: ReplayReading[] = [];
  let replacement: InjectedReplacement | undefined;
  for (const s of series) {
    const out = registerReadings(s, `gw-${s.buildingId}`, opts.initialRegister ?? 1000, opts.faults);
    all.push(...out.readings);
    replacement ??= out.replacement;
  }
  // Chronological across meters, as gateways would send them, before transport faults.
  all.sort((a, b) => a.tsMs - b.tsMs);
  const readings = applyTransportFaults(all, opts.faults);
  const { messages } = await publishReplay(readings, {
    brokerUrl: opts.brokerUrl,
    secrets: new Map(registry.gateways?.map((g) => [g.id, g.secret]) ?? []),
    ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
    ...(opts.speed === undefined ? {} : { speed: opts.speed }),
    ...(opts.onProgress === undefined ? {} : { onProgress: opts.onProgress }),
  });
  if (replacement !== undefined && opts.api !== undefined) {
    await callApi(opts.api, 'POST', `/api/v1/meters/${replacement.meterId}/events`, {
      type: 'replace',
      ts: replacement.tsMs,
      oldFinal: replacement.oldFinal,
      newInitial: replacement.newInitial,
    });
  }
  return { registry, series, readings: readings.length, messages, ...(replacement ? { replacement } : {}) };
}
