// Host-name rules shared by config and the adapters, so "loopback" means one thing everywhere.
import { isIP } from 'node:net';

/**
 * True for a host that can only be this machine: `localhost` (and `*.localhost`, RFC 6761),
 * any IPv4 address in 127.0.0.0/8, and IPv6 `::1` (also written in full, in brackets, or as
 * the IPv4-mapped `::ffff:127.x.y.z`). Names are compared case-insensitively; a trailing dot
 * (fully qualified `localhost.`) is allowed. Anything else, including `0.0.0.0`, is not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.') && isIP(h.slice(0, -1)) === 0) h = h.slice(0, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = isIP(h);
  if (family === 4) return h.split('.')[0] === '127';
  if (family === 6) {
    const mapped = /^(?:::|(?:0{1,4}:){5})ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped?.[1]) return mapped[1].split('.')[0] === '127';
    return expandIpv6(h) === '0000:0000:0000:0000:0000:0000:0000:0001';
  }
  return false;
}

/** `::1` → eight zero-padded groups; only called with a string `isIP` accepted as IPv6. */
function expandIpv6(address: string): string {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => g.padStart(4, '0')).join(':');
}
