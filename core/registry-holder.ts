import type { Gateway, Institution, Meter, Registry } from './domain/registry.js';
import { EMPTY_REGISTRY } from './domain/registry.js';

/**
 * The current registry with lookup indexes, shared by ingest and the API. Replaced whole on every
 * change so that readers always see one consistent version.
 */
export class RegistryHolder {
  private current: Registry = EMPTY_REGISTRY;
  private meters = new Map<string, Meter>();
  private gateways = new Map<string, Gateway>();
  private institutions = new Map<string, Institution>();

  constructor(initial: Registry = EMPTY_REGISTRY) {
    this.set(initial);
  }

  /** Installs a new registry version. */
  set(registry: Registry): void {
    this.current = registry;
    this.meters = new Map(registry.meters.map((m) => [m.id, m]));
    this.gateways = new Map(registry.gateways.map((g) => [g.id, g]));
    this.institutions = new Map(registry.institutions.map((i) => [i.id, i]));
  }

  get(): Registry {
    return this.current;
  }

  meter(id: string): Meter | undefined {
    return this.meters.get(id);
  }

  gateway(id: string): Gateway | undefined {
    return this.gateways.get(id);
  }

  institution(id: string): Institution | undefined {
    return this.institutions.get(id);
  }
}
