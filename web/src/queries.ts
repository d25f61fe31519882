/** Typed calls of the API routes the pages read. */
import type { UserView } from '../../core/domain/accounts.js';
import { ApiError, api, url } from './api.js';
import { useTimeZone } from './dates.js';
import type {
  Anomaly,
  AnomalyStatus,
  Consumption,
  Energy,
  Interval,
  Ranking,
  Registry,
  Target,
  TargetProgress,
} from './types.js';
import type { PageUnit } from './units.js';

/** A `/consumption` query (README: scope, from, to, interval, energy, unit, subItem, per). */
export interface ConsumptionQuery {
  readonly scope: string;
  readonly from: string;
  readonly to: string;
  readonly interval: Interval;
  readonly energy?: Energy | undefined;
  readonly unit?: PageUnit;
  readonly subItem?: string | undefined;
  readonly per?: 'm2' | 'capita';
  /** `previous`, `last_year` or `YYYY-MM-DD..YYYY-MM-DD` (the second exclusive). */
  readonly compare?: string | undefined;
  /** `weather`: adds `comparison.normalized` (issue 18, item 4). */
  readonly normalize?: 'weather' | undefined;
}

/** `GET /api/v1/consumption`; adopts the platform's time zone from the answer. */
export async function consumption(q: ConsumptionQuery): Promise<Consumption> {
  const res = await api<Consumption>(url('/api/v1/consumption', { ...q }));
  useTimeZone(res.timezone);
  return res;
}

/** `GET /api/v1/targets/progress` of a scope and year. */
export async function targetProgress(scope: string, year: string): Promise<TargetProgress[]> {
  return (await api<{ progress: TargetProgress[] }>(url('/api/v1/targets/progress', { scope, year }))).progress;
}

/** `GET /api/v1/targets` of a year. */
export async function targets(year: string): Promise<Target[]> {
  return (await api<{ targets: Target[] }>(url('/api/v1/targets', { year }))).targets;
}

/** `GET /api/v1/anomalies` overlapping [from, to). */
export async function anomalies(q: {
  from: string;
  to: string;
  scope?: string | undefined;
  type?: string | undefined;
  status?: AnomalyStatus | undefined;
  assignee?: string | undefined;
  overdue?: 'true' | undefined;
}): Promise<Anomaly[]> {
  return (await api<{ anomalies: Anomaly[] }>(url('/api/v1/anomalies', q))).anomalies;
}

/** Acknowledges or resolves an anomaly with a comment. */
export async function actOnAnomaly(id: string, action: 'ack' | 'resolve', comment: string): Promise<Anomaly> {
  return api<Anomaly>(`/api/v1/anomalies/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: { comment } });
}

/**
 * The users the reader may list (`GET /api/v1/users`: admins all, district admins theirs), enabled
 * ones only, as assignee suggestions; none when the reader may not list users (403).
 */
export async function assignableUsers(): Promise<UserView[]> {
  try {
    const { users } = await api<{ users: UserView[] }>('/api/v1/users');
    return users.filter((u) => u.disabledAt === null);
  } catch (error) {
    if (error instanceof ApiError && error.forbidden) return [];
    throw error;
  }
}

/** Assigns an anomaly to someone, due by the end of a local day or with no due date. */
export async function assignAnomaly(id: string, assignee: string, dueDate: string): Promise<Anomaly> {
  const body = dueDate === '' ? { assignee } : { assignee, dueDate };
  return api<Anomaly>(`/api/v1/anomalies/${encodeURIComponent(id)}/assign`, { method: 'POST', body });
}

/** Adds a comment to an anomaly (who and when are the API's). */
export async function commentOnAnomaly(id: string, text: string): Promise<Anomaly> {
  return api<Anomaly>(`/api/v1/anomalies/${encodeURIComponent(id)}/comments`, { method: 'POST', body: { text } });
}

/** The institution an anomaly's scope belongs to (`institution:ID`, or a meter's institution). */
export function institutionOfScope(scope: string, registry: Registry): string | undefined {
  const [kind, id] = scope.split(':');
  if (kind === 'institution') return id;
  if (kind === 'building') return registry.buildings.find((b) => b.id === id)?.institutionId;
  if (kind !== 'meter') return undefined;
  const meter = registry.meters.find((m) => m.id === id);
  return registry.buildings.find((b) => b.id === meter?.buildingId)?.institutionId;
}

/** Institutions of a scope (`city` or `district:ID`). */
export function institutionsIn(scope: string, registry: Registry): Registry['institutions'] {
  const [kind, id] = scope.split(':');
  return kind === 'district' ? registry.institutions.filter((i) => i.districtId === id) : registry.institutions;
}

/** Energy types metered in a scope (city, district or institution), in the registry's order. */
export function energiesIn(scope: string, registry: Registry): Energy[] {
  const [kind, id] = scope.split(':');
  const institutions = new Set(
    kind === 'institution' ? [id] : institutionsIn(scope, registry).map((i) => i.id as string | undefined),
  );
  const buildings = new Set(registry.buildings.filter((b) => institutions.has(b.institutionId)).map((b) => b.id));
  return [...new Set(registry.meters.filter((m) => buildings.has(m.buildingId)).map((m) => m.energy))];
}

/**
 * Institutions ranked by kgce per m² for a month: the reports ranking route, or, where it answers
 * 404 (not built yet), the same figure computed from /consumption per institution.
 */
export async function intensityRanking(scope: string, month: string, registry: Registry): Promise<Ranking> {
  try {
    return await api<Ranking>(
      url('/api/v1/reports/ranking', { month, metric: 'kgce_per_m2', ...(scope === 'city' ? {} : { scope }) }),
    );
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  const [y, m] = month.split('-').map(Number) as [number, number];
  const to = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  const rows = await Promise.all(
    institutionsIn(scope, registry)
      .filter((i) => i.floorAreaM2 > 0)
      .map(async (i) => {
        const c = await consumption({
          scope: `institution:${i.id}`,
          from: `${month}-01`,
          to,
          interval: 'month',
          unit: 'kgce',
          per: 'm2',
        });
        const completeness = c.series[0]?.completeness ?? null;
        return {
          institutionId: i.id,
          name: i.name,
          districtId: i.districtId,
          type: i.type,
          value: c.total,
          completeness,
        };
      }),
  );
  rows.sort((a, b) => b.value - a.value || a.institutionId.localeCompare(b.institutionId));
  return { unit: 'kgce/m2', computed: true, entries: rows.map((r, i) => ({ ...r, rank: i + 1 })) };
}
