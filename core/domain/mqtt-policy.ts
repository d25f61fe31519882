/**
 * The MQTT access policy: who may publish where, subscribe to what and leave which will. It is the
 * one place the rule lives (issue "Production parity", item 3); the embedded broker, the EMQX HTTP
 * ACL route and the Mosquitto ACL generator all ask it.
 *
 * | login | publishes | reads (subscribes) |
 * |---|---|---|
 * | gateway `G` | `jieneng/v1/G/readings`, `jieneng/v1/G/weather`, `jieneng/v1/G/status` (its will) | anything below `jieneng/v1/G/` (its `errors`, its status) |
 * | `service` (admin API token) | nothing | `jieneng/v1/#`, `$SYS/#` |
 * | ingest workers, share group `S` | `jieneng/ingest/S/gone` (its will) | `jieneng/v1/+/readings`, `jieneng/v1/+/weather` and that gone topic, plain or as `$share/S/…` |
 *
 * Which station a gateway may feed is registry data (a station's `gatewayIds`), checked by ingest:
 * a message for another station is dead-lettered, not refused by the broker.
 */
import {
  ALL_READINGS_FILTER,
  ALL_WEATHER_FILTER,
  readingsTopic,
  statusTopic,
  TOPIC_ROOT,
  weatherTopic,
  workerGoneTopic,
} from './topics.js';

/** Username with which a holder of an admin API token logs in to subscribe (monitoring, benchmarks). */
export const SERVICE_USERNAME = 'service';

/** Who is behind an MQTT connection. */
export type MqttPrincipal =
  | { readonly kind: 'gateway'; readonly gatewayId: string }
  | { readonly kind: 'service' }
  | { readonly kind: 'ingest'; readonly shareGroup: string };

/** What a client asks to do with a topic (a topic name to publish, a topic filter to subscribe). */
export type MqttAction = 'publish' | 'subscribe';

/** What a principal is granted: exact topics it publishes, filters it reads, groups it shares subscriptions in. */
interface Grants {
  readonly publish: readonly string[];
  readonly read: readonly string[];
  readonly shareGroups: readonly string[];
}

function grants(who: MqttPrincipal): Grants {
  switch (who.kind) {
    case 'gateway':
      return {
        publish: [readingsTopic(who.gatewayId), weatherTopic(who.gatewayId), statusTopic(who.gatewayId)],
        // Its errors topic, and its own status (a gateway checks it is seen online).
        read: [`${TOPIC_ROOT}/${who.gatewayId}/#`],
        shareGroups: [],
      };
    case 'service':
      return { publish: [], read: [`${TOPIC_ROOT}/#`, '$SYS/#'], shareGroups: [] };
    case 'ingest':
      return {
        publish: [workerGoneTopic(who.shareGroup)],
        read: [ALL_READINGS_FILTER, ALL_WEATHER_FILTER, workerGoneTopic(who.shareGroup)],
        shareGroups: [who.shareGroup],
      };
  }
}

const hasWildcard = (level: string) => level.includes('+') || level.includes('#');

/** Whether `topic` is a valid topic name to publish to: not empty, no wildcards [MQTT-3.3.2-2]. */
function isTopicName(topic: string): boolean {
  return topic !== '' && !hasWildcard(topic);
}

/** Whether `filter` is a valid topic filter: wildcards fill whole levels, `#` only last [MQTT-4.7.1-2, 4.7.1-3]. */
function isTopicFilter(filter: string): boolean {
  const levels = filter.split('/');
  return (
    filter !== '' &&
    levels.every(
      (level, i) =>
        level === '+' || (level === '#' && i === levels.length - 1) || (level !== '#' && !hasWildcard(level)),
    )
  );
}

/**
 * Whether every topic `filter` can match is matched by `pattern` (both topic filters). A pattern
 * starting with a wildcard matches no `$` topic [MQTT-4.7.2-1]; `a/#` matches `a` [MQTT-4.7.1-2].
 */
export function filterCovers(pattern: string, filter: string): boolean {
  const p = pattern.split('/');
  const f = filter.split('/');
  if ((p[0] === '+' || p[0] === '#') && filter.startsWith('$')) return false;
  for (let i = 0; i < p.length; i++) {
    const want = p[i];
    if (want === '#') return true;
    const got = f[i];
    if (got === undefined || got === '#') return false;
    if (want !== '+' && want !== got) return false;
  }
  return f.length === p.length;
}

/** `$share/<group>/<filter>` split into group and filter [MQTT-4.8.2]; undefined for an unshared filter. */
function sharedSubscription(filter: string): { group: string; filter: string } | undefined | 'invalid' {
  if (!filter.startsWith('$share/')) return undefined;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return 'invalid';
  const group = rest.slice(0, slash);
  const inner = rest.slice(slash + 1);
  return hasWildcard(group) || inner === '' ? 'invalid' : { group, filter: inner };
}

/** Whether `who` may publish to `topic` (a will is checked as a publish of its client). */
export function mayPublish(who: MqttPrincipal, topic: string): boolean {
  return isTopicName(topic) && grants(who).publish.includes(topic);
}

/**
 * Whether `who` may subscribe to `filter`: every topic it can match must be readable by `who`. A
 * shared subscription `$share/<group>/<filter>` also needs one of `who`'s share groups.
 */
export function maySubscribe(who: MqttPrincipal, filter: string): boolean {
  const g = grants(who);
  const shared = sharedSubscription(filter);
  if (shared === 'invalid') return false;
  if (shared !== undefined && !g.shareGroups.includes(shared.group)) return false;
  const inner = shared?.filter ?? filter;
  return isTopicFilter(inner) && g.read.some((pattern) => filterCovers(pattern, inner));
}

/** Whether `who` may `action` on `topic` (EMQX's ACL question). */
export function mayAct(who: MqttPrincipal, action: MqttAction, topic: string): boolean {
  return action === 'publish' ? mayPublish(who, topic) : maySubscribe(who, topic);
}

/**
 * The topics `who` leaves its will on: a gateway its retained `offline` status, an ingest worker
 * its client id on the gone topic; the service login none. Each may also be published.
 */
export function willTopics(who: MqttPrincipal): readonly string[] {
  switch (who.kind) {
    case 'gateway':
      return [statusTopic(who.gatewayId)];
    case 'ingest':
      return [workerGoneTopic(who.shareGroup)];
    case 'service':
      return [];
  }
}

/** One line of a static ACL: `access` (Mosquitto's `read`, `write`, `readwrite`) on a topic filter. */
export interface AclRule {
  readonly access: 'read' | 'write' | 'readwrite';
  readonly topic: string;
}

/** The ACL rules of one login. */
export interface AclEntry {
  readonly username: string;
  readonly rules: readonly AclRule[];
}

/**
 * The rules a static ACL (Mosquitto's `acl_file`) needs for a principal. Such an ACL checks reads
 * per delivered message (by its topic), so a shared subscription is allowed as `$share/<group>/…`
 * and as the bare filter; it cannot restrict the share group the way `maySubscribe` does.
 */
export function aclRules(who: MqttPrincipal): readonly AclRule[] {
  const g = grants(who);
  const rules: AclRule[] = [];
  for (const topic of g.publish) rules.push({ access: g.read.includes(topic) ? 'readwrite' : 'write', topic });
  for (const topic of g.read) {
    if (!g.publish.includes(topic)) rules.push({ access: 'read', topic });
    for (const group of g.shareGroups) rules.push({ access: 'read', topic: `$share/${group}/${topic}` });
  }
  return rules;
}

/**
 * The static ACL for a deployment: the ingest workers' login (if any) and one entry per gateway.
 * The service login has no static password, so it has no entry.
 */
export function staticAcl(
  gatewayIds: readonly string[],
  ingest?: { readonly username: string; readonly shareGroup: string },
): readonly AclEntry[] {
  return [
    ...(ingest === undefined
      ? []
      : [{ username: ingest.username, rules: aclRules({ kind: 'ingest', shareGroup: ingest.shareGroup }) }]),
    ...gatewayIds.map((gatewayId) => ({ username: gatewayId, rules: aclRules({ kind: 'gateway', gatewayId }) })),
  ];
}
