/**
 * The last step of a realm import: writes the prepared items. Signing keys, the secret pepper and
 * the realm-management client are the entry's (realmImport.ts) KMS side effects, after this.
 */
import { sk, type ClientsTable, type ClientsTableItem } from '../store/clientsTable.js';
import type { ParsedRealm } from './realmImportPrepare.js';

/**
 * Writes a parsed realm. Re-importing overwrites the same keys (a put replaces the whole item);
 * what the file no longer holds is not deleted, except a role's item under its other sort key.
 * Signing keys are managed by key rotation, never by an import.
 */
export async function importRealm(
  table: ClientsTable,
  parsed: ParsedRealm,
  onProgress?: (written: number, total: number) => void,
): Promise<void> {
  if (parsed.items.some((item) => item.kind === 'key')) {
    throw new Error('a realm import never writes signing keys; they are managed by key rotation');
  }
  const stored = await table.listRealmItems(parsed.realm, 'META#');
  const items = parsed.items.map((item) => (item.kind === 'settings' ? keepSigningMode(item, stored) : item));
  const total = items.length;
  await table.batchPut(parsed.realm, items, (written) => onProgress?.(written, total));
  await removeStaleRoleForms(table, parsed, stored);
}

/** How new signing keys are made is this service's setting, not Keycloak's: a re-import keeps it. */
function keepSigningMode(settings: Extract<ClientsTableItem, { kind: 'settings' }>, stored: ClientsTableItem[]): ClientsTableItem {
  const previous = stored.find((item) => item.kind === 'settings');
  return previous?.kind === 'settings' && previous.signingMode !== undefined && settings.signingMode === undefined
    ? { ...settings, signingMode: previous.signingMode }
    : settings;
}

/**
 * A role's sort key depends on whether it is composite (composites sit under `META#` so a grant
 * reads them in its one Query). A role that changed kind since the last import would leave its
 * old item behind, and a stale composite would keep expanding into roles the file no longer grants.
 */
async function removeStaleRoleForms(table: ClientsTable, parsed: ParsedRealm, storedMeta: ClientsTableItem[]): Promise<void> {
  const roles = parsed.items.filter((item) => item.kind === 'role');
  const nowPlain = new Set(roles.filter((role) => !role.composite).map((role) => sk.compositeRole(role)));
  for (const stored of storedMeta) {
    if (stored.kind === 'role' && nowPlain.has(sk.compositeRole(stored))) {
      await table.deleteItem(parsed.realm, sk.compositeRole(stored));
    }
  }
  // Composite roles are few (default-roles-<realm> and a handful more), so a blind delete is cheaper than listing every plain role.
  for (const role of roles.filter((role) => role.composite)) await table.deleteItem(parsed.realm, sk.plainRole(role));
}
