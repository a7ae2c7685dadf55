/**
 * A private certificate authority and a TLS front for tests (issue 13: NODE_EXTRA_CA_CERTS). The CA and
 * a server certificate for `localhost` / 127.0.0.1 are made with openssl at test time into a folder
 * under .tmp/ (nothing is committed); the front is an HTTPS reverse proxy that terminates TLS with that
 * certificate and forwards each request to a plain-HTTP server on 127.0.0.1, as a load balancer would.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface TestCa {
  /** PEM of the CA certificate: what NODE_EXTRA_CA_CERTS points to. */
  caFile: string;
  key: Buffer;
  cert: Buffer;
}

/** Makes a CA (CN "ckan-upload test CA") and a server certificate it signed, valid for localhost and 127.0.0.1. */
export function makeTestCa(dir: string): TestCa {
  fs.mkdirSync(dir, { recursive: true });
  const p = (f: string) => path.join(dir, f);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2", "-subj", "/CN=ckan-upload test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=localhost");
  fs.writeFileSync(p("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  ssl("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p("server.pem"), "-days", "2", "-extfile", p("server.ext"));
  return { caFile: p("ca.pem"), key: fs.readFileSync(p("server.key")), cert: fs.readFileSync(p("server.pem")) };
}

export interface TlsFront {
  /** `https://127.0.0.1:<port>` (the certificate names the address too) */
  url: string;
  port: number;
  /** Requests that passed through (method and path). */
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

/** An HTTPS reverse proxy on 127.0.0.1 in front of `http://127.0.0.1:<targetPort>`, with the CA's server certificate. */
export async function startTlsFront(ca: TestCa, targetPort: number): Promise<TlsFront> {
  const requests: TlsFront["requests"] = [];
  const server = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    requests.push({ method: req.method ?? "GET", path: req.url ?? "/" });
    const upstream = http.request(
      { host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${targetPort}`, "x-forwarded-proto": "https" } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(err.message);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
