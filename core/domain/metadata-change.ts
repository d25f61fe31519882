import { z } from 'zod';

/**
 * What one process of a cluster changed in the shared metadata, as the others hear of it (issue
 * "Production parity", item 2: PostgreSQL NOTIFY payloads, at most a few hundred bytes; PostgreSQL
 * caps a payload at 8000). `all`: nothing precise is known (a listener that reconnected may have
 * missed notifications), so everything may have changed.
 */
export const MetadataChangeSchema = z.discriminatedUnion('what', [
  z.object({ what: z.literal('registry') }),
  z.object({ what: z.literal('meter_events'), meterId: z.string() }),
  /** `tsMs`: the invalidated reading's time (the hours around it are what changes). */
  z.object({ what: z.literal('corrections'), meterId: z.string(), tsMs: z.number() }),
  z.object({ what: z.literal('tokens'), tokenId: z.string() }),
  z.object({ what: z.literal('targets') }),
  z.object({ what: z.literal('anomalies') }),
  z.object({ what: z.literal('all') }),
]);

/** What another process changed, for `MetadataStore.onChange`. */
export type MetadataChange = z.infer<typeof MetadataChangeSchema>;

/** A notification as sent: the change and the id of the store instance that made it (its own are ignored). */
export const MetadataNoticeSchema = z.object({ origin: z.string(), change: MetadataChangeSchema });
export type MetadataNotice = z.infer<typeof MetadataNoticeSchema>;
