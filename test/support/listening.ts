// The addresses a TCP port is listening on, read from the kernel's socket tables (Linux /proc/net),
// so a test can tell loopback-only from every interface whichever process holds the socket, or only
// the sockets one process holds: another process may listen on the same port number at another
// address (seen once in CI: the app on [::1]:<port>, some other process on 127.0.0.1:<port>).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const LISTEN = '0A';

/** `0100007F` (little-endian) to `127.0.0.1`. */
function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

/** 32 hex digits, four little-endian words, to a short form; v4-mapped addresses as their v4 form. */
function ipv6(hex: string): string {
  const bytes = [0, 8, 16, 24].flatMap((w) => [6, 4, 2, 0].map((i) => hex.slice(w + i, w + i + 2)));
  const text = bytes.join('').toLowerCase();
  if (text === '0'.repeat(32)) return '::';
  if (text === `${'0'.repeat(31)}1`) return '::1';
  if (text.startsWith(`${'0'.repeat(20)}ffff`)) return ipv4(bytes.slice(12).reverse().join(''));
  return (text.match(/.{4}/g) ?? []).join(':');
}

/** The inodes of the sockets process `pid` holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (socket) inodes.add(socket[1]);
    } catch {
      // Closed between the listing and the read.
    }
  }
  return inodes;
}

/** The addresses `port` listens on: of any process, or of process `pid` alone. */
export function listeningAddresses(port: number, pid?: number): string[] {
  const held = pid === undefined ? undefined : socketInodes(pid);
  const found: string[] = [];
  for (const [file, decode] of [
    ['/proc/net/tcp', ipv4],
    ['/proc/net/tcp6', ipv6],
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local, , state] = fields;
      if (state !== LISTEN || !local) continue;
      // Field 10 of a /proc/net/tcp line is the socket's inode.
      if (held && !held.has(fields[9])) continue;
      const [address, portHex] = local.split(':');
      if (parseInt(portHex, 16) === port) found.push(decode(address));
    }
  }
  return found;
}

export const LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'];
