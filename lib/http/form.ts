import { invalidRequest } from './errors.js';
import type { HttpRequest } from './request.js';

/** Longest value any parameter may have; JWT assertions are the longest legitimate ones. */
const MAX_VALUE_LENGTH = 16 * 1024;

/**
 * Parses an `application/x-www-form-urlencoded` body (RFC 6749 §3.2, WHATWG URL form encoding:
 * `+` is a space). Stricter than URLSearchParams on purpose: bad percent-encoding and invalid
 * UTF-8 are refused instead of silently replaced, and a parameter sent twice is an error
 * (RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once"),
 * worded as Keycloak words it.
 */
export function parseForm(request: HttpRequest): Map<string, string> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('Content-Type must be application/x-www-form-urlencoded');
  }
  return parseUrlEncoded(request.body);
}

export function parseUrlEncoded(body: string): Map<string, string> {
  const form = new Map<string, string>();
  if (body === '') return form;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    if (name === '') continue;
    if (form.has(name)) throw invalidRequest('duplicated parameter');
    if (value.length > MAX_VALUE_LENGTH) throw invalidRequest('Parameter too long');
    form.set(name, value);
  }
  return form;
}

export function decodeComponent(text: string): string {
  // Most names and values (grant_type=client_credentials) have nothing to decode.
  if (!/[%+]/.test(text)) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw invalidRequest('Malformed form body: invalid percent-encoding');
  }
}
