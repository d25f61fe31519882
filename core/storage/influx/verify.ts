import { AppError } from '../../errors.js';
import { InfluxError, type InfluxHttp } from './http.js';

const fail = (variable: string, message: string, cause?: unknown) =>
  new AppError('JN_STORE_UNAVAILABLE', 503, `${variable}: ${message}`, { cause, retryable: false });

const text = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Checks at start-up that InfluxDB answers, the credentials are accepted and the database (1.x)
 * or bucket (2.x, with its DBRP mapping for InfluxQL) exists; throws an AppError whose message
 * starts with the variable to fix (`INFLUX_TOKEN: rejected by InfluxDB …`).
 */
export async function verifyInflux(http: InfluxHttp): Promise<void> {
  const c = http.conn;
  try {
    await http.ping();
  } catch (error) {
    throw fail('INFLUX_URL', `InfluxDB at ${c.url} does not answer /ping (${text(error)})`, error);
  }
  if (c.api === 'v2') {
    let found: unknown;
    try {
      found = await http.getJson('api/v2/buckets', { org: c.org, name: c.bucket });
    } catch (error) {
      const status = error instanceof InfluxError ? error.status : undefined;
      if (status === 401 || status === 403) throw fail('INFLUX_TOKEN', `rejected by InfluxDB at ${c.url}`, error);
      if (status === 404) throw fail('INFLUX_ORG', `no organisation "${c.org}" (${text(error)})`, error);
      throw fail('INFLUX_URL', `InfluxDB at ${c.url}: ${text(error)}`, error);
    }
    const buckets = (found as { buckets?: unknown[] } | undefined)?.buckets ?? [];
    if (buckets.length === 0) throw fail('INFLUX_BUCKET', `no bucket "${c.bucket}" in organisation "${c.org}"`);
  }
  try {
    await http.query(['SHOW RETENTION POLICIES']);
  } catch (error) {
    const status = error instanceof InfluxError ? error.status : undefined;
    if (status === 401 || status === 403) {
      throw c.api === 'v1'
        ? fail('INFLUX_USERNAME', `INFLUX_USERNAME/INFLUX_PASSWORD rejected by InfluxDB at ${c.url}`, error)
        : fail('INFLUX_TOKEN', `rejected by InfluxDB at ${c.url}`, error);
    }
    if (/database not found|not found/i.test(text(error))) {
      throw c.api === 'v1'
        ? fail(
            'INFLUX_DATABASE',
            `no database "${c.database}" at ${c.url} (create it: CREATE DATABASE "${c.database}")`,
          )
        : fail('INFLUX_BUCKET', `bucket "${c.bucket}" has no DBRP mapping for InfluxQL (${text(error)})`);
    }
    throw fail('INFLUX_URL', `test query failed at ${c.url}: ${text(error)}`, error);
  }
}
