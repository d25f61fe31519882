import { afterAll } from 'vitest';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { TZ } from './contract-fixtures.js';
import { duckdbSchemaHarness } from './duckdb-schema.js';
import { metadataContract, seriesContract } from './store-contract.js';

const open = () => EmbeddedStore.open({ dataDir: ':memory:', timeZone: TZ });
const schema = duckdbSchemaHarness();
afterAll(() => schema.cleanup());

seriesContract('embedded (DuckDB in memory)', open);
metadataContract('embedded (DuckDB in memory)', open, schema);
