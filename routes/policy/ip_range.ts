/** IPv4 and IPv6 addresses and CIDR ranges, for the IpAddress and NotIpAddress policy conditions. */

/** A CIDR range: the network's bytes (4 for IPv4, 16 for IPv6) and its prefix length in bits. */
export interface IpRange {
  readonly bytes: Uint8Array;
  readonly prefixBits: number;
}

/** The bytes of an IPv4 or IPv6 address (IPv4-mapped IPv6 becomes IPv4), or null when it is not one. */
export function parseIpAddress(text: string): Uint8Array | null {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const address = bare.split("%")[0];
  if (!address.includes(":")) return parseIpv4(address);
  const bytes = parseIpv6(address);
  if (bytes === null) return null;
  const mapped = bytes.subarray(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff &&
    bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** Parses `ADDRESS` or `ADDRESS/BITS`; null when malformed (bad address, prefix out of range). */
export function parseIpRange(text: string): IpRange | null {
  const slash = text.indexOf("/");
  const bytes = parseIpAddress(slash === -1 ? text : text.slice(0, slash));
  if (bytes === null) return null;
  const maxBits = bytes.length * 8;
  if (slash === -1) return { bytes, prefixBits: maxBits };
  const bitsText = text.slice(slash + 1);
  const prefixBits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(prefixBits >= 0 && prefixBits <= maxBits)) return null;
  return { bytes, prefixBits };
}

/** True when `address` (parsed) lies in `range`; an IPv4 address never lies in an IPv6 range. */
export function ipRangeContains(range: IpRange, address: Uint8Array): boolean {
  if (range.bytes.length !== address.length) return false;
  let bits = range.prefixBits;
  for (let index = 0; bits > 0; index++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((range.bytes[index] & mask) !== (address[index] & mask)) return false;
  }
  return true;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let index = 0; index < 4; index++) {
    if (!/^\d{1,3}$/.test(parts[index])) return null;
    const value = Number(parts[index]);
    if (value > 255) return null;
    bytes[index] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === null || tail === null) return null;
  const all = [...head, ...tail];
  if (
    all.length > 8 || (halves.length === 1 && all.length !== 8) || (halves.length === 2 && all.length > 7)
  ) {
    return null;
  }
  const groups = [...head, ...new Array<number>(8 - all.length).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** The 16-bit groups of one side of `::` (a trailing dotted IPv4 counts as two groups). */
function groupsOf(text: string): number[] | null {
  if (text === "") return [];
  const groups: number[] = [];
  const pieces = text.split(":");
  for (let index = 0; index < pieces.length; index++) {
    const piece = pieces[index];
    if (index === pieces.length - 1 && piece.includes(".")) {
      const v4 = parseIpv4(piece);
      if (v4 === null) return null;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return null;
    }
  }
  return groups;
}
