/**
 * Where a `private_key_jwt` client's public keys may be fetched from (`jwks.url`). Over plain HTTP
 * anyone on the path could substitute the keys and sign assertions as the client, so only `https`
 * is accepted; plain `http` only to this machine (loopback) and only in the local stage, where
 * tests and `npm start` serve JWKS documents without TLS. Checked when the URL is stored
 * (sa-admin, realm import) and again before every fetch, for URLs stored before the rule.
 */
export interface JwksUrlPolicy {
  /** The local stage: `http://` to a loopback address is allowed too. */
  allowLoopbackHttp: boolean;
}

/** Why `url` cannot be a client's JWKS URL, or undefined when it can. */
export function jwksUrlProblem(url: string, policy: JwksUrlPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials';
  if (isLinkLocalOrMetadata(parsed.hostname)) return 'must not name a link-local or cloud metadata address';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && policy.allowLoopbackHttp && isLoopback(parsed.hostname)) return undefined;
  return policy.allowLoopbackHttp ? 'must be https (plain http only to a loopback address)' : 'must be https';
}

/**
 * Addresses a fetch from inside the cloud must never reach: the instance metadata services
 * (AWS 169.254.169.254 and fd00:ec2::254, GCP metadata.google.internal) and every link-local
 * address (169.254.0.0/16, RFC 3927; fe80::/10, RFC 4291 §2.5.6), also written as IPv4-mapped
 * IPv6. URL has already turned `0xa9fea9fe` and the like into dotted decimal.
 */
export function isLinkLocalOrMetadata(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'metadata.google.internal' || host === 'metadata') return true;
  if (/^169\.254(\.\d{1,3}){2}$/.test(host)) return true;
  if (!host.startsWith('[')) return false;
  const v6 = host.slice(1, -1);
  if (/^fe[89ab][0-9a-f]:/.test(v6)) return true;
  if (v6 === 'fd00:ec2::254') return true;
  // IPv4-mapped: URL writes ::ffff:169.254.169.254 as ::ffff:a9fe:a9fe.
  return /^::ffff:a9fe:[0-9a-f]{1,4}$/.test(v6);
}

/** localhost, 127.0.0.0/8 and ::1 (URL keeps IPv6 hosts in brackets). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]';
}

/** An endpoint URL (AWS_ENDPOINT_URL_*) that names this machine. */
export function isLoopbackUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    return isLoopback(new URL(url).hostname);
  } catch {
    return false;
  }
}
