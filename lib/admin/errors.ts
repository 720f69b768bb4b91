/**
 * The one error type of the admin operations. Its message is written as is, on one line, by the
 * CLI (`sa-admin: <message>`), so it names what is wrong and never carries a secret, a stored
 * hash or a ciphertext.
 */
export class AdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminError';
  }
}
