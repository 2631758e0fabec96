import { BlockList, isIP } from 'node:net';

/** The address as compared: an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is its IPv4 address. */
function plain(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1] : ip;
}

/** Builds a matcher of a key's `allowedIps` (addresses and CIDRs, IPv4 and IPv6). */
export function ipMatcher(allowed: readonly string[]): (ip: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of allowed) {
    const [address, bits] = entry.split('/');
    const family = isIP(plain(address));
    if (family === 0) continue;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(plain(address), type);
    else list.addSubnet(plain(address), Number(bits), type);
  }
  return (ip) => {
    if (!ip) return false;
    const address = plain(ip);
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}
