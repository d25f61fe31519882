/**
 * Gateway logins after a restart (issue 19, item 4): N gateways, each with its own secret hashed at
 * production cost, log in at once to the real embedded broker, three times:
 * - cold: a new process knows no secret (one scrypt each), with the login memo on, which records them;
 * - memoised: the broker restarted, the memo read back from its file (one HMAC each);
 * - in memory: logins again in the same process (one SHA-256 each; what a network-only outage costs).
 * Figures: process CPU per login (broker and the in-process mqtt.js clients alike) and wall time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { LoginMemo } from '../core/login-memo.js';
import { createMetrics } from '../core/metrics.js';
import { RegistryHolder } from '../core/registry-holder.js';
import { forgetVerifiedSecrets, hashSecret, secretCheckStats, useLoginMemo, verifySecret } from '../core/security.js';
import { EmbeddedBroker } from '../ingest/broker.js';
import { type Figure, progress } from './harness.js';

interface Storm {
  readonly cpuMsPerLogin: number;
  readonly wallS: number;
  readonly scrypts: number;
  readonly memoHits: number;
}

/** Every gateway logs in at once; CPU of this process (all threads) and wall time until all are in. */
async function storm(registry: RegistryHolder, ids: readonly string[], secretOf: (id: string) => string) {
  const broker = new EmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    maxPayloadBytes: 262_144,
    registry,
    metrics: createMetrics(),
    logger: pino({ level: 'silent' }),
    onReadings: async () => undefined,
    onRefused: () => undefined,
    verifyServiceToken: async () => false,
  });
  await broker.start();
  try {
    const before = secretCheckStats();
    const cpu = process.cpuUsage();
    const startMs = performance.now();
    const clients = await Promise.all(
      ids.map((id) =>
        mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
          username: id,
          password: secretOf(id),
          clientId: id,
          reconnectPeriod: 0,
          connectTimeout: 600_000,
        }),
      ),
    );
    const wallS = (performance.now() - startMs) / 1000;
    const used = process.cpuUsage(cpu);
    await Promise.all(clients.map((c) => c.endAsync(true)));
    const after = secretCheckStats();
    const result: Storm = {
      cpuMsPerLogin: (used.user + used.system) / 1000 / ids.length,
      wallS,
      scrypts: after.scrypts - before.scrypts,
      memoHits: after.memoHits - before.memoHits,
    };
    return result;
  } finally {
    await broker.stop();
  }
}

export async function benchLogins(opts: { quick: boolean }): Promise<Figure[]> {
  const n = opts.quick ? 40 : 400;
  const ids = Array.from({ length: n }, (_, i) => `gw-login-${String(i).padStart(5, '0')}`);
  const secretOf = (id: string) => `bench-secret-of-${id}`;
  progress(`logins: hashing ${n} gateway secrets (scrypt N=2^14)`);
  const gateways: { id: string; secretHash: string }[] = [];
  for (const id of ids) gateways.push({ id, secretHash: await hashSecret(secretOf(id)) });
  const registry = new RegistryHolder({ districts: [], institutions: [], buildings: [], gateways, meters: [] });
  const dir = await mkdtemp(join(tmpdir(), 'jieneng-bench-logins-'));
  const open = () =>
    LoginMemo.open({
      dir,
      key: Buffer.alloc(32, 7),
      logger: pino({ level: 'silent' }),
      currentHashes: () => gateways.map((g) => g.secretHash),
    });
  try {
    forgetVerifiedSecrets();
    const first = await open();
    useLoginMemo(first);
    progress(`logins: ${n} cold logins (scrypt each)`);
    const cold = await storm(registry, ids, secretOf);
    useLoginMemo(undefined, first);
    await first.close();

    forgetVerifiedSecrets();
    const second = await open();
    useLoginMemo(second);
    progress(`logins: ${n} logins after a restart with the memo`);
    const memo = await storm(registry, ids, secretOf);
    progress(`logins: ${n} logins again in the same process`);
    const warm = await storm(registry, ids, secretOf);
    // The check alone, without MQTT: one HMAC against the memo per gateway.
    forgetVerifiedSecrets();
    const checkCpu = process.cpuUsage();
    for (const g of gateways) if (!(await verifySecret(secretOf(g.id), g.secretHash))) throw new Error('memo miss');
    const checked = process.cpuUsage(checkCpu);
    const checkUs = (checked.user + checked.system) / gateways.length;
    useLoginMemo(undefined, second);
    await second.close();

    const note = (s: Storm) =>
      `${n} gateways at once: ${s.scrypts} scrypts, ${s.memoHits} memo hits, all in after ${s.wallS.toFixed(2)} s`;
    progress(`logins: cold ${note(cold)}; memo ${note(memo)}; in memory ${note(warm)}`);
    const provinceS = (s: Storm) => ((s.cpuMsPerLogin * 20_000) / 1000).toFixed(0);
    return [
      {
        name: 'logins: CPU per gateway login after a restart, login memo',
        value: memo.cpuMsPerLogin,
        unit: 'ms',
        baseline: { name: 'no memo (one scrypt each)', value: cold.cpuMsPerLogin },
        ratio: cold.cpuMsPerLogin / memo.cpuMsPerLogin,
        target: 'no scrypt after a restart',
        met: memo.scrypts === 0,
        note: `${note(memo)} (cold: ${note(cold)}); the memo check alone ${checkUs.toFixed(0)} µs; 20,000 gateways ≈ ${provinceS(memo)} CPU s (cold ≈ ${provinceS(cold)} CPU s); CPU includes the in-process MQTT clients`,
      },
      {
        name: 'logins: CPU per gateway login, secret already verified in this process',
        value: warm.cpuMsPerLogin,
        unit: 'ms',
        baseline: { name: 'after a restart, login memo', value: memo.cpuMsPerLogin },
        note: note(warm),
      },
    ];
  } finally {
    useLoginMemo(undefined);
    forgetVerifiedSecrets();
    await rm(dir, { recursive: true, force: true });
  }
}
