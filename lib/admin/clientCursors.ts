import { BoundedMap } from '../cache.js';

/**
 * Where each page of a listing of a realm's clients starts (lib/admin/clientListing.ts).
 * Keycloak's `first` is an offset. Read as one, every page would read the `first` clients before
 * it, and a listing of n clients page by page (keycloak-admin-client, Terraform, the console)
 * would read O(n²) of them. A page here instead starts from where the previous page of the same
 * listing ended: the container remembers, per realm version, which clientId stands just before
 * each `first` it answered up to. A `first` it has no memory of is reached by reading keys only.
 * The realm's version (one GetItem) moves with every write of the realm, so a remembered position
 * is used only while no client was added or removed since.
 */
export class ClientListingCursors {
  /** `realm \0 version \0 first` → the clientId just before position `first`. */
  private readonly before = new BoundedMap<string, string>(1000);

  recall(realm: string, version: number, first: number): string | undefined {
    return this.before.get(key(realm, version, first));
  }

  remember(realm: string, version: number, first: number, clientId: string): void {
    this.before.set(key(realm, version, first), clientId);
  }
}

const key = (realm: string, version: number, first: number) => `${realm}\u0000${version}\u0000${first}`;
