import { migrateImport } from './realmImportMigrations.js';
import { encryptClientSecret } from '../clientAuth/secretCipher.js';
import { ensureRealmPepper, pepperedHasher } from '../clientAuth/secretPepper.js';
import type { SignatureAlgorithm, SigningMode } from '../model/stored.js';
import type { AdminContext } from './context.js';
import { ensureRealmKeys } from './keys.js';
import { findRealm } from './lookup.js';
import { readClients, readServiceAccountUsers } from './realmImportClients.js';
import { clientsWithoutIds, clientsWithoutSecret, prepareRealm, storedIdsOf, storedSecretsOf, type ParsedRealm } from './realmImportPrepare.js';
import { ExportReader, isObject } from './realmImportReader.js';
import {
  declareClients,
  newContext,
  readClientScopes,
  readDefaultRoleName,
  readGroups,
  readRealmName,
  readRoles,
  readScopeMappings,
  readSettings,
  RealmImportError,
  type ParseOptions,
} from './realmImportValidate.js';
import { importRealm } from './realmImportWrite.js';
import { readIdentityProviders } from './realmImportIdentityProviders.js';
import { ensureAdministration } from './realmManagement.js';
import { claimRealm, OPERATOR, whileClaimed } from './realmClaim.js';
import { realmNameProblem } from './realmName.js';
import { AdminError } from './errors.js';
import { forbiddenKeyReason, forbiddenKeys } from '../model/userKeys.js';

export type { ImportProblem } from './realmImportReader.js';
export { RealmImportError, type ParseOptions, type StoredIds, type StoredSecret } from './realmImportValidate.js';
export { storedSecretsOf, type ParsedRealm } from './realmImportPrepare.js';
export { importRealm } from './realmImportWrite.js';

/**
 * Imports a Keycloak realm export (what `kc.sh export` writes, or the admin console's partial
 * export) into the clients table: realm settings, roles, client scopes, groups, and clients with
 * their protocol mappers, scope mappings and service-account users (attributes, names, groups).
 * Ids are kept (derived from names where the file has none, so a re-import keeps them), and the
 * representation fields this service does not use are kept as sent (`extra`) for the export and the
 * Admin REST API; secrets, registration tokens and key material never are.
 *
 * parseRealmExport checks the whole file before anything is written and reports every problem at
 * once, each with its JSON path, so an operator fixes a file in one round. Keycloak exports client
 * secrets in clear; they are hashed here and never appear in a problem, note or skipped line.
 *
 * A confidential client without a secret in the file (this service's own export, or the admin
 * console's partial export, which masks secrets) keeps the secret it already has in the target
 * realm; a client that is new there gets a generated one only when the operator asks for it
 * (`generateSecrets`), else it is a problem.
 */

// ---------------------------------------------------------------------------------------------
// Entry points

export interface ImportOptions {
  /** Validate and report; write nothing, call no KMS. */
  dryRun?: boolean;
  generateSecrets?: boolean;
  /** Progress of the two long phases: hashing (and encrypting) secrets, then writing items. */
  onProgress?: (phase: 'secrets' | 'items', done: number, total: number) => void;
  /** How a new realm's signing keys are made (default kms); the Admin API, which may not create KMS keys, uses envelope. */
  signingMode?: SigningMode;
  /** Who claims the realm's name when the import creates it (lib/admin/realmClaim.ts); default the operator. */
  creator?: string;
  /** Only create: an existing realm is a conflict, not re-imported (the Admin API's POST /admin/realms). */
  createOnly?: boolean;
}

export interface ImportReport {
  realm: string;
  dryRun: boolean;
  counts: ParsedRealm['counts'];
  /** Items written (or that would be). */
  items: number;
  notes: string[];
  skipped: string[];
  keptSecrets: string[];
  /** Generated secrets, shown once; in a dry run only which clients would get one. */
  newSecrets: { clientId: string; secret?: string }[];
  /** Signing keys made because the realm had no active key for an algorithm. */
  keysCreated: { kid: string; alg: SignatureAlgorithm }[];
}

/**
 * The CLI's `import-realm`: reads what the target realm already holds (secrets of clients the
 * file has none for, the signing mode), validates and prepares the whole file, then writes it and
 * gives the realm signing keys if it has none. A dry run stops before the first write and never
 * calls KMS.
 */
export async function importRealmExport(ctx: AdminContext, json: unknown, options: ImportOptions = {}): Promise<ImportReport> {
  const realmName = isObject(json) && typeof json.realm === 'string' && realmNameProblem(json.realm) === undefined ? json.realm : undefined;
  // A dry run writes nothing, and a file without a valid name fails validation before any write.
  if (options.dryRun || realmName === undefined) return importClaimed(ctx, json, realmName, options);
  // The name first, atomically, before any of the realm's items (lib/admin/realmClaim.ts).
  const creator = options.creator ?? OPERATOR;
  if ((await claimRealm(ctx, realmName, creator)) === 'exists') {
    if (options.createOnly) throw new AdminError(`realm '${realmName}' already exists`, 'conflict');
    return importClaimed(ctx, json, realmName, options);
  }
  return whileClaimed(ctx, realmName, creator, () => importClaimed(ctx, json, realmName, options));
}

async function importClaimed(ctx: AdminContext, json: unknown, realmName: string | undefined, options: ImportOptions): Promise<ImportReport> {
  const existing = realmName === undefined ? undefined : await findRealm(ctx.table, realmName);
  const parsed = await parseRealmExport(json, {
    storedSecrets: realmName === undefined ? new Map() : await storedSecretsOf(ctx.table, realmName, clientsWithoutSecret(json)),
    storedIds: realmName === undefined || existing === undefined ? new Map() : await storedIdsOf(ctx.table, realmName, clientsWithoutIds(json)),
    generateSecrets: options.generateSecrets ?? false,
    jwksUrlPolicy: { allowLoopbackHttp: ctx.localStage === true },
    hashSecrets: !options.dryRun,
    ...(options.dryRun
      ? {}
      : // Only reached once the whole file is valid, realm name included.
        {
          encryptSecret: (clientId, secret) => encryptClientSecret(ctx.kms, ctx.names.secretsKeyId, realmName ?? '', clientId, secret),
          hashChosenSecret: pepperedHasher(ctx.kms, ctx.table, ctx.names.secretsKeyId, realmName ?? ''),
        }),
    onSecretProgress: (done, total) => options.onProgress?.('secrets', done, total),
  });
  const report: ImportReport = {
    realm: parsed.realm,
    dryRun: options.dryRun ?? false,
    counts: parsed.counts,
    items: parsed.items.length,
    notes: parsed.notes,
    skipped: parsed.skipped,
    keptSecrets: parsed.keptSecrets,
    newSecrets: parsed.newSecrets.map(({ clientId, secret }) => (options.dryRun ? { clientId } : { clientId, secret })),
    keysCreated: [],
  };
  if (options.dryRun) return report;
  await importRealm(ctx.table, parsed, (written, total) => options.onProgress?.('items', written, total));
  // Every imported realm has its client-secret pepper, whether or not this file needed it yet.
  await ensureRealmPepper(ctx.kms, ctx.table, ctx.names.secretsKeyId, parsed.realm);
  const keys = await ensureRealmKeys(ctx, parsed.realm, existing?.signingMode ?? options.signingMode ?? 'kms');
  await ensureAdministration(ctx, parsed.realm);
  report.keysCreated = keys.map(({ kid, alg }) => ({ kid, alg }));
  return report;
}

/**
 * Validates the whole file (every problem at once, RealmImportError), then prepares it: secrets
 * kept, generated, hashed and encrypted, items laid out. Writes nothing.
 */
export async function parseRealmExport(file: unknown, options: ParseOptions = {}): Promise<ParsedRealm> {
  if (!isObject(file)) throw new RealmImportError([{ path: '$', message: 'a realm export is a JSON object' }]);
  const reader = new ExportReader();
  // The same key rule as the Admin API and sa-admin (lib/model/userKeys.ts), over the whole file.
  for (const found of forbiddenKeys(file)) reader.problem(found.path, forbiddenKeyReason(found.key));
  // An older Keycloak's export, as a newer Keycloak imports it (lib/admin/realmImportMigrations.ts).
  const { json, notes } = migrateImport(file);
  const ctx = newContext(reader, readRealmName(reader, json), options);
  ctx.notes.push(...notes);
  const clientEntries = declareClients(ctx, json);
  const defaultRole = readDefaultRoleName(ctx, json);
  const roles = readRoles(ctx, json, defaultRole);
  const scopes = readClientScopes(ctx, json);
  const scopeMappings = readScopeMappings(ctx, json);
  const groups = readGroups(ctx, json);
  const identityProviders = readIdentityProviders(reader, json, options.jwksUrlPolicy ?? { allowLoopbackHttp: false });
  const settings = readSettings(ctx, json, defaultRole);
  const clients = readClients(ctx, clientEntries, settings);
  const users = readServiceAccountUsers(ctx, json, clients.drafts, new Set(groups.map((g) => g.path)));
  if (reader.problems.length > 0) throw new RealmImportError(reader.problems);
  return prepareRealm({ ctx, json, clientEntries, defaultRole, roles, scopes, scopeMappings, groups, identityProviders, settings, clients, users });
}
