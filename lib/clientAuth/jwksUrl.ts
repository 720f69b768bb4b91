import { BlockList, isIP } from 'node:net';

/**
 * Where a `private_key_jwt` client's public keys, or an identity provider's issuer, JWKS or SPIFFE
 * bundle, may be fetched from. Over plain HTTP
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
  const loopbackHttp = parsed.protocol === 'http:' && policy.allowLoopbackHttp && isLoopback(parsed.hostname);
  if (parsed.protocol !== 'https:' && !loopbackHttp) return policy.allowLoopbackHttp ? 'must be https (plain http only to a loopback address)' : 'must be https';
  return hostProblem(parsed.hostname, policy);
}

/**
 * Addresses no fetch of ours may reach (SSRF): private networks (RFC 1918, RFC 4193), carrier-grade
 * NAT, link-local (RFC 3927, which holds the EC2/ECS/Lambda metadata and credentials endpoints at
 * 169.254.169.254 and 169.254.170.2, and IPv6's fd00:ec2::254), "this network", and loopback
 * outside the local stage. A URL naming one literally is refused when stored; a name that
 * resolves to one is refused when connecting (guardedRequest in lib/clientAuth/guardedRequest.ts), so DNS cannot
 * steer a fetch there later.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['192.0.0.0', 24], ['198.18.0.0', 15]] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [['fc00::', 7], ['fe80::', 10], ['::', 128]] as const) BLOCKED.addSubnet(network, prefix, 'ipv6');
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
/** Names of cloud metadata services that resolve inside the provider's network. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** Why a fetch must not connect to `address` (an IP), or undefined. */
export function addressProblem(address: string, policy: JwksUrlPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'is not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address it carries.
  const mapped = type === 'ipv6' ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
  if (mapped) return addressProblem(mapped, policy);
  if (LOOPBACK.check(address, type)) return policy.allowLoopbackHttp ? undefined : 'must not name a loopback address';
  if (BLOCKED.check(address, type)) return 'must not name a private, link-local or metadata address';
  return undefined;
}

function hostProblem(hostname: string, policy: JwksUrlPolicy): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
  if (METADATA_NAMES.has(host)) return 'must not name a private, link-local or metadata address';
  if (isIP(host) !== 0) return addressProblem(host, policy);
  if (isLoopback(host) && !policy.allowLoopbackHttp) return 'must not name a loopback address';
  return undefined;
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
