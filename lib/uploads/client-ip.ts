import ipaddr from "ipaddr.js";

/** How much of a client's IP address the audit trail keeps (AUDIT_STORE_IP). */
export type StoreIpMode = "full" | "truncated" | "off";

/**
 * The client IP as it may be stored for audit under `mode`:
 * - `full`: the address as given (normalised; IPv4-mapped IPv6 becomes IPv4);
 * - `truncated` (default): the network only — IPv4 /24 (`203.0.113.0`), IPv6 /48 (`2001:db8:1::`);
 * - `off`: nothing (null).
 * An address that does not parse is kept only in `full` mode (first 64 characters), else dropped.
 */
export function storedClientIp(ip: string | null | undefined, mode: StoreIpMode): string | null {
  if (!ip || mode === "off") return null;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(ip.trim());
  } catch {
    return mode === "full" ? ip.slice(0, 64) : null;
  }
  if (mode === "full") return addr.toString();
  const bits = addr.kind() === "ipv4" ? 24 : 48;
  const bytes = addr.toByteArray();
  const masked = bytes.map((b, i) => (i * 8 >= bits ? 0 : i * 8 + 8 <= bits ? b : b & (0xff << (8 - (bits - i * 8)))));
  return ipaddr.fromByteArray(masked).toString();
}
