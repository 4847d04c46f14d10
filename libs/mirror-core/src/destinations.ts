import { BlockList, isIP } from 'node:net';
import { ConfigError } from '@penumbra/errors';

/**
 * Where replays may go. The fleet's operators list the allowed destinations
 * (MIRROR_ALLOWED_TARGETS: hosts, CIDRs or URL prefixes); an experiment only picks among them.
 * Loopback, link-local (cloud metadata among them) and unspecified addresses are refused unless
 * listed, whatever the list holds otherwise. Host names are judged by name: a name that resolves
 * to a refused address is the resolver's to prevent (DNS is configured by the same operators).
 */
export interface DestinationPolicy {
  /** Empty: any destination but the refused kinds. */
  hosts: Set<string>;
  cidrs: BlockList;
  hasCidrs: boolean;
  prefixes: string[];
}

export type DestinationCheck = { ok: true } | { ok: false; reason: string };

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

const dangerous = new BlockList();
dangerous.addSubnet('127.0.0.0', 8, 'ipv4');
dangerous.addSubnet('169.254.0.0', 16, 'ipv4');
dangerous.addSubnet('0.0.0.0', 8, 'ipv4');
dangerous.addSubnet('100.100.100.200', 32, 'ipv4');
dangerous.addAddress('::1', 'ipv6');
dangerous.addAddress('::', 'ipv6');
dangerous.addSubnet('fe80::', 10, 'ipv6');
dangerous.addAddress('fd00:ec2::254', 'ipv6');

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Parses MIRROR_ALLOWED_TARGETS items; throws naming the item that is none of host, CIDR or URL prefix. */
export function parseDestinationPolicy(items: string[]): DestinationPolicy {
  const policy: DestinationPolicy = { hosts: new Set(), cidrs: new BlockList(), hasCidrs: false, prefixes: [] };
  for (const raw of items.map((i) => i.trim()).filter(Boolean)) {
    if (/^https?:\/\//i.test(raw)) {
      policy.prefixes.push(new URL(raw).href);
      continue;
    }
    const cidr = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(raw);
    if (cidr) {
      const family = isIP(cidr[1] ?? '');
      const bits = Number(cidr[2]);
      if (family === 0 || bits > (family === 4 ? 32 : 128))
        throw new ConfigError(`MIRROR_ALLOWED_TARGETS: "${raw}" is not a valid CIDR`, { variable: 'MIRROR_ALLOWED_TARGETS', value: raw });
      policy.cidrs.addSubnet(cidr[1] ?? '', bits, family === 4 ? 'ipv4' : 'ipv6');
      policy.hasCidrs = true;
      continue;
    }
    if (!/^[A-Za-z0-9.*:[\]-]+$/.test(raw))
      throw new ConfigError(`MIRROR_ALLOWED_TARGETS: "${raw}" is none of a host, a CIDR or an http(s) URL prefix`, { variable: 'MIRROR_ALLOWED_TARGETS', value: raw });
    policy.hosts.add(bareHost(raw));
  }
  return policy;
}

function listed(url: URL, policy: DestinationPolicy): boolean {
  const host = bareHost(url.hostname);
  if (policy.hosts.has(host)) return true;
  for (const h of policy.hosts) if (h.startsWith('*.') && host.endsWith(h.slice(1))) return true;
  const family = isIP(host);
  if (family !== 0 && policy.hasCidrs && policy.cidrs.check(host, family === 4 ? 'ipv4' : 'ipv6')) return true;
  const href = url.href;
  return policy.prefixes.some((p) => href === p || href.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/** Whether a candidate or secondary base URL may receive replays under the fleet's policy. */
export function checkDestination(baseUrl: string, policy: DestinationPolicy): DestinationCheck {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { ok: false, reason: `${baseUrl} is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `${url.protocol} destinations are not replayed to` };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'a destination must not carry credentials in its URL' };
  if (listed(url, policy)) return { ok: true };
  const host = bareHost(url.hostname);
  const family = isIP(host);
  const refusedKind = LOOPBACK_NAMES.has(host) || (family !== 0 && dangerous.check(host, family === 4 ? 'ipv4' : 'ipv6'));
  if (refusedKind) return { ok: false, reason: `${url.origin} is a loopback, link-local or metadata address; list it in MIRROR_ALLOWED_TARGETS to allow it` };
  const restricted = policy.hosts.size > 0 || policy.hasCidrs || policy.prefixes.length > 0;
  if (restricted) return { ok: false, reason: `${url.origin} is not in MIRROR_ALLOWED_TARGETS` };
  return { ok: true };
}
