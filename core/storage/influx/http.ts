import { gzipSync } from 'node:zlib';
import { HttpError, InfluxDB, RequestTimedOutError, type WriteApi } from '@influxdata/influxdb-client';

/** How to reach InfluxDB: the 1.x API (database, optional user) or 2.x/3.x (token, org, bucket). */
export type InfluxConnection =
  | {
      readonly api: 'v1';
      readonly url: string;
      readonly database: string;
      readonly username?: string;
      readonly password?: string;
      /** Longest one HTTP request may take, in ms. */
      readonly timeoutMs: number;
    }
  | {
      readonly api: 'v2';
      readonly url: string;
      readonly token: string;
      readonly org: string;
      /** Also the database of InfluxQL queries (its DBRP mapping, retention policy `autogen`). */
      readonly bucket: string;
      readonly timeoutMs: number;
    };

/** A failed InfluxDB request; `retryable` when trying again later may succeed. */
export class InfluxError extends Error {
  constructor(
    message: string,
    /** HTTP status, or undefined when no answer came (network error, timeout). */
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'InfluxError';
  }

  /** The server refused the data itself (e.g. a field type conflict): retrying the same lines cannot help. */
  get badData(): boolean {
    return this.status === 400 || this.status === 413 || this.status === 422;
  }
}

/** One InfluxQL series in a `/query` answer. */
export interface InfluxSeries {
  readonly name: string;
  readonly tags?: Record<string, string>;
  readonly columns: string[];
  readonly values: unknown[][];
}

/** The answer to one InfluxQL statement. */
export interface StatementResult {
  readonly series: InfluxSeries[];
}

/** Points to delete: tags that must match, and a time range [fromMs, toMs). */
export interface DeleteRange {
  readonly tags: Readonly<Record<string, string>>;
  readonly fromMs: number;
  readonly toMs: number;
}

/** Lines per 2.x write request; the WriteApi's batch is one larger, so it never sends by itself. */
const V2_CHUNK_LINES = 5000;

/** Bodies above this many bytes are gzipped. */
const GZIP_THRESHOLD_BYTES = 1024;

/**
 * The HTTP API of InfluxDB as Jieneng uses it: InfluxQL over `/query` (1.x natively; 2.x and 3.x
 * through their v1 compatibility API), line protocol over `/write` (1.x) or the client library's
 * WriteApi (2.x/3.x), deletes by InfluxQL `DELETE` (1.x) or `/api/v2/delete`.
 */
export class InfluxHttp {
  private readonly writeApis = new Map<string, WriteApi>();
  private readonly client: InfluxDB | undefined;

  constructor(readonly conn: InfluxConnection) {
    if (conn.api === 'v2') this.client = new InfluxDB({ url: conn.url, token: conn.token, timeout: conn.timeoutMs });
  }

  /** The database (1.x) or bucket (2.x) queried. */
  get database(): string {
    return this.conn.api === 'v1' ? this.conn.database : this.conn.bucket;
  }

  private url(path: string, params: Record<string, string> = {}): string {
    const u = new URL(path, this.conn.url.endsWith('/') ? this.conn.url : `${this.conn.url}/`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.toString();
  }

  private headers(): Record<string, string> {
    if (this.conn.api === 'v2') return { authorization: `Token ${this.conn.token}` };
    if (this.conn.username === undefined) return {};
    const basic = Buffer.from(`${this.conn.username}:${this.conn.password ?? ''}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.conn.timeoutMs) });
    } catch (error) {
      const why = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : String(error);
      throw new InfluxError(`InfluxDB at ${this.conn.url}: ${why}`, undefined, true);
    }
    if (res.ok) return res;
    const message = errorText(await res.text().catch(() => ''));
    throw new InfluxError(message || `HTTP ${res.status}`, res.status, !(res.status >= 400 && res.status < 429));
  }

  /** `GET` a JSON resource of the HTTP API with the connection's credentials. */
  async getJson(path: string, params: Record<string, string> = {}): Promise<unknown> {
    const res = await this.request(this.url(path, params), { method: 'GET', headers: this.headers() });
    return res.json();
  }

  /** `GET /ping`: resolves when the server answers. */
  async ping(): Promise<void> {
    await this.request(this.url('ping'), { method: 'GET' });
  }

  /**
   * Runs InfluxQL statements in one request (`;`-separated) and returns one result per
   * statement; a statement's error is thrown.
   */
  async query(statements: readonly string[]): Promise<StatementResult[]> {
    if (statements.length === 0) return [];
    const body = new URLSearchParams({ q: statements.join(';\n'), db: this.database, epoch: 'ms' });
    const res = await this.request(this.url('query'), {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const json = (await res.json()) as { results?: { error?: string; series?: InfluxSeries[] }[]; error?: string };
    // A statement's error comes with HTTP 200: it is not bad data, and not retryable as such.
    if (json.error !== undefined) throw new InfluxError(json.error, res.status, false);
    const results = json.results ?? [];
    return statements.map((_, i) => {
      const r = results[i];
      if (r?.error !== undefined) throw new InfluxError(r.error, res.status, false);
      return { series: r?.series ?? [] };
    });
  }

  /**
   * Writes line protocol, into retention policy `rp` (1.x; default: the database's default policy);
   * throws an InfluxError (see `badData`).
   */
  async write(lines: readonly string[], precision: 'ms' | 'ns', rp?: string): Promise<void> {
    if (lines.length === 0) return;
    if (this.conn.api === 'v2') return this.writeV2(lines, precision);
    const text = lines.join('\n');
    const gzip = text.length > GZIP_THRESHOLD_BYTES;
    const params = { db: this.conn.database, precision, ...(rp === undefined ? {} : { rp }) };
    await this.request(this.url('write', params), {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'text/plain', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
      body: gzip ? gzipSync(text) : text,
    });
  }

  private async writeV2(lines: readonly string[], precision: 'ms' | 'ns'): Promise<void> {
    const { org, bucket } = this.conn as Extract<InfluxConnection, { api: 'v2' }>;
    let api = this.writeApis.get(precision);
    if (api === undefined && this.client !== undefined) {
      // Retries and ordering are the store's (its spool): the WriteApi must neither retry in the
      // background nor flush by itself, or a late retry could land after a later delete.
      api = this.client.getWriteApi(org, bucket, precision, {
        batchSize: V2_CHUNK_LINES + 1,
        maxBatchBytes: 1 << 30,
        flushInterval: 0,
        maxRetries: 0,
        maxBufferLines: 0,
        gzipThreshold: GZIP_THRESHOLD_BYTES,
        // Hand every failure back to the caller (the store logs it) instead of the library's console logger.
        writeFailed: (error) => Promise.reject(error),
      });
      this.writeApis.set(precision, api);
    }
    if (api === undefined) return;
    try {
      for (let i = 0; i < lines.length; i += V2_CHUNK_LINES) {
        api.writeRecords(lines.slice(i, i + V2_CHUNK_LINES));
        await api.flush();
      }
    } catch (error) {
      if (error instanceof HttpError) {
        const message = (error.json as { message?: string } | undefined)?.message ?? error.body ?? error.message;
        throw new InfluxError(message, error.statusCode, error.canRetry() || error.statusCode < 400);
      }
      const timeout = error instanceof RequestTimedOutError;
      throw new InfluxError(`InfluxDB at ${this.conn.url}: ${timeout ? 'timed out' : String(error)}`, undefined, true);
    }
  }

  /**
   * Deletes points of a measurement whose tags equal each range's `tags` with fromMs ≤ time < toMs
   * (1.x: InfluxQL `DELETE`, many in one request; 2.x: `/api/v2/delete`, one request per range). An
   * empty tag value matches series without the tag (1.x only; 2.x predicates cannot say it).
   */
  async delete(measurement: string, ranges: readonly DeleteRange[]): Promise<void> {
    if (ranges.length === 0) return;
    if (this.conn.api === 'v1') {
      const statements = ranges.map((r) => {
        const where = Object.entries(r.tags).map(([k, v]) => `${quoteIdent(k)} = ${quoteString(v)}`);
        where.push(`time >= ${r.fromMs}ms`, `time < ${r.toMs}ms`);
        return `DELETE FROM ${quoteIdent(measurement)} WHERE ${where.join(' AND ')}`;
      });
      for (let i = 0; i < statements.length; i += 200) await this.query(statements.slice(i, i + 200));
      return;
    }
    for (const r of ranges) {
      const predicate = [
        `_measurement="${measurement}"`,
        ...Object.entries(r.tags)
          .filter(([, v]) => v !== '')
          .map(([k, v]) => `${k}="${v.replace(/"/g, '\\"')}"`),
      ].join(' AND ');
      // `stop` is inclusive in the v2 delete API; hourly points sit on whole hours.
      const body = JSON.stringify({
        start: new Date(r.fromMs).toISOString(),
        stop: new Date(r.toMs - 1).toISOString(),
        predicate,
      });
      await this.request(this.url('api/v2/delete', { org: this.conn.org, bucket: this.conn.bucket }), {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/json' },
        body,
      });
    }
  }

  /** Releases the client's resources (no pending writes: every write is awaited). */
  async close(): Promise<void> {
    for (const api of this.writeApis.values()) api.dispose();
    this.writeApis.clear();
  }
}

/** The message of an error answer (`{"error": ...}` in 1.x, `{"message": ...}` in 2.x). */
function errorText(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: string; message?: string };
    return json.error ?? json.message ?? body;
  } catch {
    return body;
  }
}

/** An InfluxQL string literal. */
export const quoteString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** An InfluxQL identifier. */
export const quoteIdent = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
/** An InfluxQL regex literal matching strings that start with `prefix`. */
export const prefixRegex = (prefix: string) => `/^${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/`;
