/**
 * Which login owns each MQTT client id it holds a session under, so that one gateway cannot take
 * over another's session by connecting with its client id (issue "No device can stop ingest").
 * [MQTT-3.1.4-2] lets a new connection with the same client id replace the old one; this rule keeps
 * that for the owner only. Bounded: each owner keeps its `maxIdsPerOwner` most recently used ids.
 */
export class ClientIdOwners {
  private readonly ownerById = new Map<string, string>();
  /** Each owner's ids, least recently used first (a Set keeps insertion order). */
  private readonly idsByOwner = new Map<string, Set<string>>();

  /** @param maxIdsPerOwner client ids remembered per owner; the least recently used is forgotten first */
  constructor(private readonly maxIdsPerOwner = 100) {}

  /** The owner of a client id, if one holds it. */
  ownerOf(clientId: string): string | undefined {
    return this.ownerById.get(clientId);
  }

  /** Whether `owner` may use `clientId`: nobody else holds it. */
  mayUse(clientId: string, owner: string): boolean {
    const current = this.ownerById.get(clientId);
    return current === undefined || current === owner;
  }

  /** Records that `owner` holds `clientId` (a persistent session, or a login EMQX allowed). */
  claim(clientId: string, owner: string): void {
    const previous = this.ownerById.get(clientId);
    if (previous !== undefined && previous !== owner) this.idsByOwner.get(previous)?.delete(clientId);
    let ids = this.idsByOwner.get(owner);
    if (ids === undefined) {
      ids = new Set();
      this.idsByOwner.set(owner, ids);
    }
    ids.delete(clientId);
    ids.add(clientId);
    this.ownerById.set(clientId, owner);
    for (const oldest of ids) {
      if (ids.size <= this.maxIdsPerOwner) break;
      ids.delete(oldest);
      this.ownerById.delete(oldest);
    }
  }

  /** Forgets `owner`'s hold on `clientId` (its session ended: a clean-session connect). */
  release(clientId: string, owner: string): void {
    if (this.ownerById.get(clientId) !== owner) return;
    this.ownerById.delete(clientId);
    const ids = this.idsByOwner.get(owner);
    ids?.delete(clientId);
    if (ids?.size === 0) this.idsByOwner.delete(owner);
  }
}
