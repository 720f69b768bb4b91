import { AdminError } from '../admin/errors.js';

/**
 * The one error type of the Admin REST API, and the one place it becomes a response.
 *
 * Keycloak 26's admin resources answer in four body shapes (RESTEasy's WebApplicationException
 * mapper, `ErrorResponse.error`/`exists`, and the JSON parse mapper), and clients tell them apart:
 * the admin client reads `errorMessage` for 409s, the Terraform provider prints `error` or
 * `errorMessage`. So the error carries its shape, not just a message.
 */
export type AdminApiErrorBody =
  /** 401, 403, 404, unmatched path or method: `{"error":"<prose>"}`. */
  | { error: string }
  /** 409 and most 400 validation failures (Keycloak's ErrorResponse): `{"errorMessage":"<prose>"}`. */
  | { errorMessage: string }
  /** A body that is not JSON, and OAuth-style refusals inside the API. */
  | { error: string; error_description: string };

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: AdminApiErrorBody,
  ) {
    super('errorMessage' in body ? body.errorMessage : 'error_description' in body ? `${body.error}: ${body.error_description}` : body.error);
    this.name = 'AdminApiError';
  }
}

/** Measured on Keycloak 26.7.1: no `WWW-Authenticate`, whatever was wrong with the credentials. */
export const unauthorized = () => new AdminApiError(401, { error: 'HTTP 401 Unauthorized' });

export const forbidden = () => new AdminApiError(403, { error: 'HTTP 403 Forbidden' });

/** `{"error": …}` 404s: `Realm not found.`, `Could not find client`, `User not found`, … */
export const notFound = (message = 'HTTP 404 Not Found') => new AdminApiError(404, { error: message });

export const methodNotAllowed = () => new AdminApiError(405, { error: 'HTTP 405 Method Not Allowed' });

/** Keycloak's `ErrorResponse.exists`: `Client x already exists`, `Role with name x already exists`, … */
export const conflict = (errorMessage: string) => new AdminApiError(409, { errorMessage });

/** Keycloak's `ErrorResponse.error(message, BAD_REQUEST)`. */
export const badRequest = (errorMessage: string) => new AdminApiError(400, { errorMessage });

/** A 400 thrown as a bare JAX-RS BadRequestException, e.g. a role without a name. */
export const plainBadRequest = (message = 'HTTP 400 Bad Request') => new AdminApiError(400, { error: message });

/** A body that is not JSON; `unknown_error` when it is JSON of the wrong type (measured on 26.7.1). */
export const cannotParseJson = (wrongType = false) =>
  new AdminApiError(400, { error: wrongType ? 'unknown_error' : 'invalid_request', error_description: 'Cannot parse the JSON' });

/** An OAuth-style refusal inside the API, e.g. `invalid_request` for a parameterized default scope. */
export const oauthStyle = (error: string, description: string, status = 400) =>
  new AdminApiError(status, { error, error_description: description });

/**
 * Runs a lib/admin operation and words its conflict as Keycloak does (`Client x already exists`),
 * where lib/admin's own message is written for sa-admin's operator.
 */
export async function conflictAs<T>(message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AdminError && err.kind === 'conflict') throw conflict(message);
    throw err;
  }
}
