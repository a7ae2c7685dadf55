/**
 * A cheap probe that tells "the store does not let this page in" (its CORS rule is missing or wrong)
 * from "the store or the network is down", so a CORS fault is named within seconds instead of being
 * waited out as an outage for `outageToleranceMs` (issue 10). A browser reports both the same way:
 * XMLHttpRequest fails with status 0 and no detail.
 *
 * The probe (browser only; Node has no CORS) sends two requests without credentials or side effects:
 * 1. a CORS `PUT` with the same header names as the part (so the browser sends the same preflight) to
 *    the part's object URL with a made-up UploadId (`?partNumber=1&uploadId=cors-probe`): any answer
 *    at all — S3 says 403 or 404 — proves the CORS rule lets this page send parts;
 * 2. if that fails, a `no-cors` GET of the store's origin: an (opaque) answer proves the store is
 *    reachable, so the failure is the CORS rule; no answer means the store or the network is down.
 */

/** What a probe found. */
export type StoreProbeResult =
  /** The store answers this page under CORS: the failure was something else (retry it). */
  | "ok"
  /** The store answers, but not under CORS for this page: the bucket's CORS rule. */
  | "cors"
  /** No answer at all: an outage of the store or the network. */
  | "unreachable";

/** Probes the store a part was sent to. `url` is the part's URL; `headerNames` the headers it carried. */
export type StoreProbe = (url: string, headerNames: string[]) => Promise<StoreProbeResult>;

/** The fetch-based {@link StoreProbe}; `doFetch` defaults to `globalThis.fetch`. */
export function createFetchStoreProbe(doFetch: typeof fetch = (input, init) => globalThis.fetch(input, init)): StoreProbe {
  return async (url, headerNames) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    // Dummy values: only the names matter to the preflight; the store refuses the request anyway.
    for (const name of headerNames) if (!/^(content-length|host)$/i.test(name)) headers[name] = name.toLowerCase() === "content-type" ? "application/octet-stream" : "probe";
    try {
      await doFetch(`${u.origin}${u.pathname}?partNumber=1&uploadId=cors-probe`, { method: "PUT", mode: "cors", credentials: "omit", cache: "no-store", headers, body: "" });
      return "ok";
    } catch {
      // no answer under CORS: is the store there at all?
    }
    try {
      await doFetch(`${u.origin}/`, { mode: "no-cors", credentials: "omit", cache: "no-store" });
      return "cors";
    } catch {
      return "unreachable";
    }
  };
}

/** The default probe: the fetch probe where CORS applies (a page or a Worker: `location` exists), else none. */
export function defaultStoreProbe(): StoreProbe | null {
  const g = globalThis as { location?: { origin?: string }; fetch?: unknown };
  return typeof g.fetch === "function" && typeof g.location?.origin === "string" ? createFetchStoreProbe() : null;
}

/** The page's origin, for messages (`""` outside a browser). */
export function pageOrigin(): string {
  const g = globalThis as { location?: { origin?: string } };
  return g.location?.origin ?? "";
}

/** The values of {@link corsMessage}, for a page to say it in its own language: `store` and `page` origins (`page` `""` outside a browser). */
export function corsParams(storeUrl: string): { store: string; page: string } {
  return { store: safeOrigin(storeUrl), page: pageOrigin() };
}

/** The message shown when the probe names the CORS rule. */
export function corsMessage(storeUrl: string): string {
  const store = safeOrigin(storeUrl);
  const page = pageOrigin();
  return (
    `The storage at ${store} answers, but its CORS rule does not let this page${page ? ` (${page})` : ""} send parts. ` +
    `The bucket's CORS configuration must allow PUT from ${page || "the portal's origin"} with any request header (AllowedHeaders "*") ` +
    "and expose ETag (ExposeHeaders). Ask the portal administrator to fix it; the parts sent so far are kept — press Retry afterwards."
  );
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "the storage";
  }
}

/**
 * Wraps a probe so parts failing together share one probe (its result is kept `cacheMs`), and a
 * `cors` verdict is confirmed by a second probe `confirmMs` later — a store that just came back
 * (or a proxy answering without CORS headers for a moment) is not blamed on the CORS rule.
 */
export function sharedProbe(probe: StoreProbe, sleep: (ms: number) => Promise<void>, now: () => number, cacheMs = 2_000, confirmMs = 1_000): StoreProbe {
  let last: { at: number; result: Promise<StoreProbeResult> } | undefined;
  return (url, headerNames) => {
    if (last && now() - last.at < cacheMs) return last.result;
    const result = (async () => {
      const first = await probe(url, headerNames);
      if (first !== "cors") return first;
      await sleep(confirmMs);
      return probe(url, headerNames);
    })();
    last = { at: now(), result };
    void result.finally(() => {
      if (last) last.at = now(); // the cache runs from the verdict, not the start
    }).catch(() => undefined);
    return result;
  };
}
