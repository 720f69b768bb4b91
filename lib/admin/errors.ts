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
