/** What the page learns once per sign-in: the registry and which sections the token can read. */
import { ApiError, api, url } from './api.js';
import { addDays, monthOf, today } from './dates.js';
import { currentIdentity, homeScope } from './identity.js';
import type { Registry } from './types.js';

/** The page's sections, as in the navigation. */
export const SECTIONS = ['overview', 'anomalies', 'quality', 'reports'] as const;
export type Section = (typeof SECTIONS)[number];

/** Readable or not (403); `unknown` when the probe failed for another reason (the page will say). */
export type Access = 'yes' | 'no' | 'unknown';

const EMPTY: Registry = { districts: [], institutions: [], buildings: [], gateways: [], meters: [] };

let registry: Registry | undefined;
let access: Partial<Record<Section, Access>> = {};
let probed: Promise<unknown> | undefined;

/** Forgets everything learnt with the previous sign-in. */
export function resetState(): void {
  registry = undefined;
  access = {};
  probed = undefined;
}

/** Forgets the registry after a change to it (the next `loadRegistry` reads it again). */
export function invalidateRegistry(): void {
  registry = undefined;
}

/** The registry (loaded once; empty when the token may not read it). */
export async function loadRegistry(): Promise<Registry> {
  if (registry !== undefined) return registry;
  try {
    registry = await api<Registry>('/api/v1/registry');
  } catch (error) {
    if (!(error instanceof ApiError && error.forbidden)) throw error;
    registry = EMPTY;
  }
  return registry;
}

function probeUrl(section: Section): string {
  const day = today();
  const range = { from: day, to: addDays(day, 1) };
  switch (section) {
    case 'overview':
      // A user limited to districts or institutions has an overview of its own (the city is 403).
      return url('/api/v1/consumption', { scope: homeScope(currentIdentity()), ...range, unit: 'kgce' });
    case 'anomalies':
      return url('/api/v1/anomalies', range);
    case 'quality':
      return url('/api/v1/quality', { month: monthOf(day), scope: homeScope(currentIdentity()) });
    case 'reports':
      return '/api/v1/reports';
  }
}

/**
 * Which sections the token can read, by asking each section's main route once (roles come in a
 * later issue: a 403 marks the section, it does not break the page). A 404 of the reports route
 * counts as readable: the page then says the route is missing.
 */
export async function probeAccess(): Promise<Partial<Record<Section, Access>>> {
  const results = await Promise.all(
    SECTIONS.map(async (s): Promise<[Section, Access]> => {
      try {
        await api(probeUrl(s));
        return [s, 'yes'];
      } catch (error) {
        if (error instanceof ApiError && error.status === 403) return [s, 'no'];
        if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return [s, 'yes'];
        return [s, 'unknown'];
      }
    }),
  );
  access = Object.fromEntries(results);
  return access;
}

/** Probes access once per sign-in (also after a reload of the page, which keeps the token). */
export async function ensureAccess(): Promise<void> {
  probed ??= probeAccess();
  await probed;
}

/** The last probe's answer. */
export function accessOf(section: Section): Access | undefined {
  return access[section];
}
