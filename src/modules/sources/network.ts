// Where the platform may connect on a department's behalf (README.md, "Reaching source servers"). Connecting
// to a host named by a user is the feature itself, so the rule is narrow and needs no configuration:
//   - never link-local, cloud metadata, multicast, reserved or "this network" addresses (169.254.0.0/16 — the
//     metadata service of AWS, Azure, GCP, Tencent, Huawei Cloud —, 100.100.100.200 Alibaba Cloud,
//     fd00:ec2::254, fe80::/10, ff00::/8, 0.0.0.0/8, 224.0.0.0/4, 240.0.0.0/4, ::), also when IPv4-mapped;
//   - never the platform's own database (same server address and port, same database name).
// The name is resolved once per check and the connection goes to the address that was checked (no DNS
// rebinding between the check and the connect); with TLS on MySQL the name is used, so the certificate is verified.
import dns from 'node:dns/promises';
import net from 'node:net';
import { AppError, badRequest } from '../../errors.ts';
import './messages.ts';

const BLOCKED = new net.BlockList();
BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4');
BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4');
BLOCKED.addAddress('100.100.100.200', 'ipv4');
BLOCKED.addSubnet('224.0.0.0', 4, 'ipv4');
BLOCKED.addSubnet('240.0.0.0', 4, 'ipv4');
BLOCKED.addAddress('::', 'ipv6');
BLOCKED.addSubnet('fe80::', 10, 'ipv6');
BLOCKED.addSubnet('ff00::', 8, 'ipv6');
BLOCKED.addAddress('fd00:ec2::254', 'ipv6');

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), or the address itself. */
function unmap(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return { address: m[1]!, family: 'ipv4' };
  return { address, family: net.isIPv4(address) ? 'ipv4' : 'ipv6' };
}

export function isForbiddenAddress(address: string): boolean {
  const a = unmap(address);
  return BLOCKED.check(a.address, a.family);
}

function isLoopback(address: string): boolean {
  const a = unmap(address);
  return a.family === 'ipv4' ? a.address.startsWith('127.') : a.address === '::1';
}

async function resolve(host: string): Promise<string[]> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(bare)) return [bare];
  try {
    const found = await dns.lookup(bare, { all: true, verbatim: true });
    return found.map((f) => f.address);
  } catch {
    throw badRequest('SOURCE_HOST_UNRESOLVED', { host }, { field: 'host', host });
  }
}

export interface PlatformDatabase {
  host: string;
  port: number;
  database: string;
}

/** host/port/database of a postgres:// URL (the platform's own database). */
export function platformDatabase(url: string): PlatformDatabase | null {
  try {
    const u = new URL(url);
    return {
      host: decodeURIComponent(u.hostname || 'localhost'),
      port: Number(u.port || 5432),
      database: decodeURIComponent(u.pathname.slice(1)),
    };
  } catch {
    return null;
  }
}

const sameAddress = (a: string, b: string) => a === b || (isLoopback(a) && isLoopback(b));

/**
 * Resolves `host` and checks every address it has; returns the one to connect to.
 * Throws 400 SOURCE_HOST_UNRESOLVED or SOURCE_HOST_FORBIDDEN.
 */
export async function checkTarget(
  target: { kind: string; host: string; port: number; database: string },
  platform: PlatformDatabase | null,
): Promise<string> {
  const addresses = await resolve(target.host);
  if (!addresses.length) throw badRequest('SOURCE_HOST_UNRESOLVED', { host: target.host }, { field: 'host', host: target.host });
  const forbidden = (reason: string) => new AppError(400, 'SOURCE_HOST_FORBIDDEN', { reason }, { field: 'host', reason });
  for (const a of addresses) {
    if (isForbiddenAddress(a)) throw forbidden(`${a} is a link-local, metadata, multicast or reserved address`);
  }
  if (platform && target.kind === 'postgresql' && target.port === platform.port && target.database === platform.database) {
    const own = await resolve(platform.host).catch(() => [platform.host]);
    if (addresses.some((a) => own.some((o) => sameAddress(a, o)))) throw forbidden('this is the platform’s own database');
  }
  return addresses[0]!;
}
