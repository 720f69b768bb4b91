import { forbiddenKeyProblem } from '../model/userKeys.js';

/**
 * The one error type of the admin operations. Its message is written as is, on one line, by the
 * CLI (`sa-admin: <message>`), so it names what is wrong and never carries a secret, a stored
 * hash or a ciphertext. Its `kind` lets each interface map it to its own form: the Admin REST API
 * answers `not-found` with 404, `conflict` with 409 and `invalid` with 400 (lib/adminApi/router.ts).
 */
export type AdminErrorKind = 'invalid' | 'not-found' | 'conflict' | 'forbidden' | 'unparsable';

export class AdminError extends Error {
  constructor(
    message: string,
    readonly kind: AdminErrorKind = 'invalid',
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

/** A body that is JSON but not of the representation's shape (Keycloak's Jackson refuses to map it). */
export const unparsable = () => new AdminError('Cannot parse the JSON', 'unparsable');

/**
 * lib/model/userKeys.ts's rule as an AdminError, for every admin write that takes keys from its
 * caller (mapper configs, attributes, extra fields): sa-admin and the Admin REST API refuse alike.
 */
export function refuseForbiddenKeys(document: unknown): void {
  const problem = forbiddenKeyProblem(document);
  if (problem !== undefined) throw new AdminError(problem);
}
