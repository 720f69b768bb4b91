/**
 * Finds a secret in text in any of the forms it could leak in by accident: as it is,
 * percent-encoded (form or URL), inside HTTP Basic credentials, base64 or base64url (at any byte
 * alignment, so a copy inside a longer encoded value is found too) and hex.
 */
export function encodingsOf(secret: string | Buffer, clientId?: string): string[] {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  const forms = new Set<string>([bytes.toString('hex'), bytes.toString('hex').toUpperCase()]);
  if (typeof secret === 'string') [secret, encodeURIComponent(secret), new URLSearchParams([['', secret]]).toString().slice(1)].forEach((form) => forms.add(form));
  for (const needle of [...base64Needles(bytes, 'base64'), ...base64Needles(bytes, 'base64url')]) forms.add(needle);
  if (clientId !== undefined && typeof secret === 'string') {
    // RFC 6749 §2.3.1 form-encodes both halves; many clients do not.
    for (const pair of [`${clientId}:${secret}`, `${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`]) forms.add(Buffer.from(pair, 'utf8').toString('base64').replace(/=+$/, ''));
  }
  return [...forms].filter((form) => form.length >= 6);
}

/**
 * The base64 characters that encode only the secret's own bits, for each of the three positions
 * it can start at inside a longer value: characters mixing in neighbouring bytes are cut off.
 */
function base64Needles(bytes: Buffer, alphabet: 'base64' | 'base64url'): string[] {
  const needles: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString(alphabet).replace(/=+$/, '');
    needles.push(encoded.slice(Math.ceil((shift * 8) / 6), Math.floor((padded.length * 8) / 6)));
  }
  return needles;
}

/** Which of the secrets appear in the text, and in which form. */
export function copiesIn(text: string, secrets: { name: string; secret: string | Buffer; clientId?: string }[]): string[] {
  return secrets.flatMap(({ name, secret, clientId }) => encodingsOf(secret, clientId).filter((form) => text.includes(form)).map((form) => `${name} (as ${form === secret ? 'is' : JSON.stringify(form)})`));
}
