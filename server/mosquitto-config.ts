/**
 * `npm run mosquitto-config -- --registry city.json --ingest-password P --out dir`: writes a
 * Mosquitto 2.0 configuration for MQTT_MODE=external from a registry file (the one PUT to
 * /api/v1/registry, with the gateways' secrets): `passwd` (PBKDF2-SHA512 `$7$` hashes, as
 * `mosquitto_passwd` writes them), `acl` and `mosquitto.conf`. Gateways authenticate at the broker
 * with username = gateway id; the ingest workers with `--ingest-user`.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { RegistryInputSchema } from '../core/domain/registry.js';
import { mosquittoAcl, mosquittoConf, mosquittoPasswordLine } from '../ingest/external/mosquitto-config.js';

const o = new Command()
  .name('npm run mosquitto-config --')
  .requiredOption('--registry <file>', 'registry JSON with the gateways and their secrets')
  .requiredOption('--ingest-password <password>', 'password of the ingest workers (MQTT_PASSWORD)')
  .option('--ingest-user <name>', 'username of the ingest workers (MQTT_USERNAME)', 'jieneng-ingest')
  .option('--share-group <name>', 'shared-subscription group (MQTT_SHARE_GROUP)', 'jieneng')
  .option('--port <port>', 'listener port', '1883')
  .option('--no-persistence', 'do not keep sessions on disk (tests only)')
  .requiredOption('--out <dir>', 'output directory')
  .parse()
  .opts<{
    registry: string;
    ingestPassword: string;
    ingestUser: string;
    shareGroup: string;
    port: string;
    persistence: boolean;
    out: string;
  }>();

const registry = RegistryInputSchema.parse(JSON.parse(await readFile(o.registry, 'utf8')));
const dir = resolve(o.out);
await mkdir(dir, { recursive: true });
const logins = [
  { username: o.ingestUser, password: o.ingestPassword },
  ...registry.gateways.map((g) => ({ username: g.id, password: g.secret })),
];
await writeFile(join(dir, 'passwd'), `${logins.map((l) => mosquittoPasswordLine(l)).join('\n')}\n`);
await chmod(join(dir, 'passwd'), 0o600);
await writeFile(
  join(dir, 'acl'),
  mosquittoAcl(
    registry.gateways.map((g) => g.id),
    o.ingestUser,
    o.shareGroup,
  ),
);
await writeFile(join(dir, 'mosquitto.conf'), mosquittoConf({ port: Number(o.port), dir, persistence: o.persistence }));
process.stderr.write(`mosquitto-config: wrote passwd, acl and mosquitto.conf to ${dir}\n`);
