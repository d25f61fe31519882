/**
 * MQTT topics: the only place they are built or parsed.
 * `jieneng/v1/{gatewayId}/readings` carries readings, `jieneng/v1/{gatewayId}/status` the retained
 * `online`/`offline` status of a gateway (its last will), `jieneng/v1/{gatewayId}/weather` the
 * observations of a weather station the gateway feeds (issue 18, item 1).
 */
export const TOPIC_ROOT = 'jieneng/v1';

/** What a gateway topic carries. */
export type TopicKind = 'readings' | 'status' | 'weather';

/** Topic on which a gateway publishes its readings. */
export function readingsTopic(gatewayId: string): string {
  return `${TOPIC_ROOT}/${gatewayId}/readings`;
}

/** Retained status topic of a gateway. */
export function statusTopic(gatewayId: string): string {
  return `${TOPIC_ROOT}/${gatewayId}/status`;
}

/** Topic on which a gateway publishes a weather station's observations (`{"stationId","observations"}`). */
export function weatherTopic(gatewayId: string): string {
  return `${TOPIC_ROOT}/${gatewayId}/weather`;
}

/** Subscription filter matching every gateway's weather observations. */
export const ALL_WEATHER_FILTER = `${TOPIC_ROOT}/+/weather`;

/** Subscription filter matching every gateway's readings. */
export const ALL_READINGS_FILTER = `${TOPIC_ROOT}/+/readings`;

/** Splits a topic into gateway id and kind, or undefined when it is not a Jieneng gateway topic. */
export function parseTopic(topic: string): { gatewayId: string; kind: TopicKind } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return undefined;
  const gatewayId = parts[2] ?? '';
  const kind = parts[3];
  if (gatewayId === '' || (kind !== 'readings' && kind !== 'status' && kind !== 'weather')) return undefined;
  return { gatewayId, kind };
}

/** Gateway status values published on the status topic. */
export const GATEWAY_STATUS = { online: 'online', offline: 'offline' } as const;

/**
 * Topic on which the platform tells a gateway why a message was refused (e.g. too large); the
 * gateway may subscribe to it. Gateways cannot publish on it (`parseTopic` does not accept it).
 */
export function errorsTopic(gatewayId: string): string {
  return `${TOPIC_ROOT}/${gatewayId}/errors`;
}

/**
 * Where the broker publishes an ingest worker connection's will (its client id) when the
 * connection dies: a surviving worker of the share group then takes over its session.
 */
export function workerGoneTopic(shareGroup: string): string {
  return `jieneng/ingest/${shareGroup}/gone`;
}
