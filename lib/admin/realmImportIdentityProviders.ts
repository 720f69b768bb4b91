import { jwksUrlProblem, type JwksUrlPolicy } from '../clientAuth/jwksUrl.js';
import { identityProviderProblem, type IdentityProvider } from '../model/identityProvider.js';
import { parseIdentityProvider } from '../representation/identityProvider.js';
import { AdminError } from './errors.js';
import { isObject, type ExportReader, type JsonObject } from './realmImportReader.js';

/**
 * A realm export's `identityProviders` (Keycloak's IdentityProviderRepresentation array), read
 * with the same representation module and the same rules as the Admin API: unknown provider types,
 * bad URLs, duplicate aliases and two client-assertion IdPs for one issuer are problems of the file.
 */
export function readIdentityProviders(reader: ExportReader, json: JsonObject, policy: JwksUrlPolicy): IdentityProvider[] {
  const value = json.identityProviders;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    reader.problem('identityProviders', 'must be an array');
    return [];
  }
  const read: IdentityProvider[] = [];
  value.forEach((entry, i) => {
    const path = `identityProviders[${i}]`;
    let idp: IdentityProvider;
    try {
      if (!isObject(entry)) throw new AdminError('must be an object');
      idp = parseIdentityProvider(entry);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      return reader.problem(path, err.message);
    }
    if (read.some((other) => other.alias === idp.alias)) return reader.problem(path, `alias '${idp.alias}' appears twice`);
    const problem = identityProviderProblem(idp, read, (url) => jwksUrlProblem(url, policy));
    if (problem) return reader.problem(path, problem);
    read.push(idp);
  });
  return read;
}
