/**
 * The last step of a realm import: writes the prepared items. Signing keys, the secret pepper and
 * the realm-management client are the entry's (realmImport.ts) KMS side effects, after this.
 */
import type { ClientsTable, ClientsTableItem } from '../store/clientsTable.js';
import type { RealmSettings } from '../model/stored.js';
import type { ParsedRealm } from './realmImportPrepare.js';

/**
 * Writes a parsed realm. Re-importing overwrites the same items (a put replaces the whole item);
 * what the file no longer holds is not deleted, except a role's item in its other form
 * (ClientsTable.replaceRealmItems). Signing keys are managed by key rotation, never by an import.
 */
export async function importRealm(
  table: ClientsTable,
  parsed: ParsedRealm,
  onProgress?: (written: number, total: number) => void,
): Promise<void> {
  if (parsed.items.some((item) => item.kind === 'key')) {
    throw new Error('a realm import never writes signing keys; they are managed by key rotation');
  }
  const stored = await table.getRealmSettings(parsed.realm);
  const items = parsed.items.map((item) => (item.kind === 'settings' ? keepSigningMode(item, stored) : item));
  const total = items.length;
  await table.replaceRealmItems(parsed.realm, items, (written) => onProgress?.(written, total));
}

/** How new signing keys are made is this service's setting, not Keycloak's: a re-import keeps it. */
function keepSigningMode(settings: Extract<ClientsTableItem, { kind: 'settings' }>, stored: RealmSettings | undefined): ClientsTableItem {
  return stored?.signingMode !== undefined && settings.signingMode === undefined ? { ...settings, signingMode: stored.signingMode } : settings;
}
