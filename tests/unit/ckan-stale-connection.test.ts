/**
 * A pooled keep-alive connection that CKAN (or gunicorn, whose default keep-alive is 2 s, or a proxy)
 * closes just as the portal writes the next request on it: CI saw `CKAN … is unreachable (user_show):
 * fetch failed` (ECONNRESET) from exactly that, on a loaded machine. A read is asked once more on a new
 * connection; a write is never repeated. The stub closes the connection of the first request it
 * receives without answering: the race made deterministic.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CkanError, createCkanClient } from "@/lib/ckan";
import { isReadAction, isStaleConnectionError } from "@/lib/ckan/transport";
import { getMetrics } from "@/lib/ops/metrics";

/** A token whose letters occur in the error text: redaction must not lose the connection error. */
const TOKEN = "t";
let server: http.Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

/**
 * A CKAN stub that closes the connection of the first request it receives without answering it — what
 * a client sees when it writes a request on a kept-alive connection the peer has just closed (the
 * request is never handled) — and answers every later request.
 */
async function closingCkan(): Promise<{ url: string; seen: string[]; dropped: () => number }> {
  const seen: string[] = [];
  let dropped = 0;
  server = http.createServer((req, res) => {
    if (dropped === 0) {
      dropped++;
      req.socket.destroy();
      return;
    }
    seen.push(`${req.method} ${req.url?.split("?")[0]}`);
    const body = JSON.stringify({ help: "", success: true, result: { id: "u1", name: "editor_user", display_name: "Editor", sysadmin: false, state: "active" } });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, dropped: () => dropped };
}

async function retries(action: string): Promise<number> {
  const { values } = await getMetrics().ckanRetries.get();
  return values.find((v) => v.labels.action === action)?.value ?? 0;
}

describe("CKAN calls on a connection CKAN has just closed", () => {
  it("asks a read once more on a new connection, and counts the retry", async () => {
    const ckan = await closingCkan();
    const client = createCkanClient({ baseUrl: ckan.url, token: TOKEN });
    const before = await retries("user_show");
    expect((await client.currentUser()).name).toBe("editor_user");
    expect(ckan.dropped()).toBe(1);
    expect(ckan.seen).toEqual(["GET /api/3/action/user_show"]);
    expect((await retries("user_show")) - before).toBe(1);
  });

  it("never repeats a write: it fails as unreachable and CKAN handled it at most once", async () => {
    const ckan = await closingCkan();
    const client = createCkanClient({ baseUrl: ckan.url, token: TOKEN });
    const err = await client.action("resource_create", { package_id: "p", url: "u" }, "POST").then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CkanError);
    expect(err).toMatchObject({ kind: "unreachable", action: "resource_create" });
    expect(ckan.dropped()).toBe(1);
    expect(ckan.seen).toEqual([]); // never handled, never sent again
    expect(await retries("resource_create")).toBe(0);
  });

  it("tells reads from writes, and stale connections from other network errors", () => {
    for (const a of ["package_show", "user_show", "organization_list_for_user", "license_list", "package_search", "status_show"]) expect(isReadAction(a)).toBe(true);
    for (const a of ["resource_create", "resource_patch", "package_patch", "package_create", "package_delete"]) expect(isReadAction(a)).toBe(false);
    expect(isStaleConnectionError(new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }))).toBe(true);
    expect(isStaleConnectionError(new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) }))).toBe(true);
    expect(isStaleConnectionError(new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }))).toBe(false);
    expect(isStaleConnectionError(new Error("timeout"))).toBe(false);
  });

  it("sends each write on a new connection, never on one kept alive from earlier calls", async () => {
    const sockets = new Map<Socket, number>();
    const log: Array<{ request: string; socket: number; reused: boolean }> = [];
    server = http.createServer((req, res) => {
      const known = sockets.has(req.socket);
      if (!known) sockets.set(req.socket, sockets.size + 1);
      log.push({ request: `${req.method} ${req.url?.split("?")[0]?.split("/").pop()}`, socket: sockets.get(req.socket)!, reused: known });
      req.resume().on("end", () => {
        const body = JSON.stringify({ help: "", success: true, result: { id: "u1", name: "editor_user", display_name: "Editor", sysadmin: false, state: "active" } });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const client = createCkanClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: TOKEN });
    // Reads until one is answered on a kept-alive connection: the pool then holds an idle connection.
    for (let i = 0; i < 20 && !log.some((l) => l.reused); i++) await client.currentUser();
    expect(log.some((l) => l.reused)).toBe(true);
    for (const action of ["resource_create", "resource_patch", "package_patch"]) await client.action(action, { id: "x" }, "POST");
    const writes = log.filter((l) => l.request.startsWith("POST"));
    expect(writes.map((w) => w.request)).toEqual(["POST resource_create", "POST resource_patch", "POST package_patch"]);
    expect(writes.every((w) => !w.reused)).toBe(true);
    expect(new Set(writes.map((w) => w.socket)).size).toBe(3);
  });
});
