import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { TZ } from './contract-fixtures.js';
import { storeContract } from './store-contract.js';

storeContract('embedded (DuckDB in memory)', () => EmbeddedStore.open({ dataDir: ':memory:', timeZone: TZ }));
