import ipaddr from "ipaddr.js";

/**
 * The request header in which the portal's entry server (server/portal-server.js) passes the TCP
 * peer's address to the app. Next.js route handlers cannot see the socket, so the entry server
 * deletes whatever a client sent under this name and writes the real peer address; the app believes
 * the header only when PORTAL_ENTRY_SERVER=1 (set by the entry server on its own process), so under
 * `next dev`/`next start` a client cannot supply it either.
 */
export const PEER_HEADER = "x-portal-peer";

function parse(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.process(ip.trim().replace(/^\[(.*)\]$/, "$1"));
  } catch {
    return null;
  }
}

function inList(addr: ipaddr.IPv4 | ipaddr.IPv6, trusted: readonly string[]): boolean {
  for (const entry of trusted) {
    const [range, bits] = entry.includes("/") ? ipaddr.parseCIDR(entry) : ([ipaddr.parse(entry), entry.includes(":") ? 128 : 32] as const);
    const r = range.kind() === "ipv6" && (range as ipaddr.IPv6).isIPv4MappedAddress() ? (range as ipaddr.IPv6).toIPv4Address() : range;
    const b = r !== range ? Number(bits) - 96 : Number(bits);
    if (addr.kind() === r.kind() && addr.match(r as never, b)) return true;
  }
  return false;
}

/**
 * The client's IP address for the audit trail:
 * - the TCP peer (from {@link PEER_HEADER}, set by the entry server), when it is not a trusted proxy;
 * - when the peer is in `trusted` (TRUSTED_PROXIES, CIDRs or addresses), the right-most
 *   X-Forwarded-For address that is not itself a trusted proxy (proxies append the address they
 *   saw, so the hops left of the first untrusted one are the client's own claims and are ignored);
 * - null when the peer is unknown (no entry server) — a client can never choose the stored address.
 */
export function clientAddress(headers: Headers, trusted: readonly string[], entryServer = process.env.PORTAL_ENTRY_SERVER === "1"): string | null {
  const peerText = entryServer ? headers.get(PEER_HEADER) : null;
  const peer = peerText ? parse(peerText) : null;
  if (!peer) return null;
  if (!inList(peer, trusted)) return peer.toString();
  const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parse(hops[i]!);
    if (!hop) return null; // a malformed hop after the trusted ones: believe nothing further
    if (!inList(hop, trusted)) return hop.toString();
  }
  const first = hops[0] ? parse(hops[0]) : null;
  return (first ?? peer).toString();
}
