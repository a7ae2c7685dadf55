"use client";

import { useCallback, useMemo, useRef } from "react";
import type { ResourceSessionFields } from "@/lib/uploader/portal-api";
import { RATE_LIMIT_JITTER_MS, parseRetryAfter } from "@/lib/uploader/rate-limit-wait";
import type { ResourceFieldValues } from "./resource-fields";

/** 429 answers to one description change waited out (Retry-After) before its error is shown. */
const MAX_LIMIT_WAITS = 10;

/** The resource a page's uploads replace (the replace page, issue 12). */
export interface ReplaceOption {
  resourceId: string;
  /** The user confirmed replacing a resource whose file the portal did not store. */
  external: boolean;
}

/**
 * Keeps the resource fields the publisher saved on each row until and after its session exists
 * (issue 12): `forCreation` hands them to session creation (POST /api/uploads); `save` sends them to
 * `PATCH /api/uploads/{id}/resource` once the session exists; values saved while the session was
 * being created are sent as soon as it exists (`sessionCreated`), so nothing typed is lost.
 */
export function useResourceFieldStore() {
  const values = useRef(new Map<string, { fields: ResourceFieldValues; version: number }>());
  const sent = useRef(new Map<string, number>());
  const sessions = useRef(new Map<string, string>());

  const patchSession = useCallback(async (sessionId: string, fields: ResourceFieldValues): Promise<string | null> => {
    const send = () => fetch(`/api/uploads/${encodeURIComponent(sessionId)}/resource`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: fields.name.trim(), description: fields.description, format: fields.format.trim() }),
    });
    let res = await send();
    // The portal's limit (RATE_LIMIT_DESCRIBE_PER_MINUTE): wait Retry-After and send the same change again.
    for (let waits = 0; res.status === 429 && waits < MAX_LIMIT_WAITS; waits++) {
      const ms = parseRetryAfter(res.headers.get("retry-after"), Date.now());
      if (ms === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, ms + Math.floor(Math.random() * RATE_LIMIT_JITTER_MS)));
      res = await send();
    }
    if (res.ok) return null;
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    return body?.error?.message ?? `The portal answered HTTP ${res.status}.`;
  }, []);

  const forCreation = useCallback((id: string, replace?: ReplaceOption): ResourceSessionFields | undefined => {
    const v = values.current.get(id);
    if (v) sent.current.set(id, v.version);
    const fields: ResourceSessionFields = v ? { name: v.fields.name.trim() || undefined, description: v.fields.description, format: v.fields.format.trim() } : {};
    if (replace) Object.assign(fields, { replaceResourceId: replace.resourceId, ...(replace.external && { replaceExternal: true }) });
    return Object.keys(fields).length ? fields : undefined;
  }, []);

  const sessionCreated = useCallback((id: string, sessionId: string) => {
    sessions.current.set(id, sessionId);
    const v = values.current.get(id);
    if (v && v.version !== sent.current.get(id)) void patchSession(sessionId, v.fields);
  }, [patchSession]);

  const save = useCallback(async (id: string, fields: ResourceFieldValues): Promise<string | null> => {
    const version = (values.current.get(id)?.version ?? 0) + 1;
    values.current.set(id, { fields, version });
    const sessionId = sessions.current.get(id);
    if (!sessionId) return null; // sent with session creation
    sent.current.set(id, version);
    return patchSession(sessionId, fields);
  }, [patchSession]);

  return useMemo(() => ({ forCreation, sessionCreated, save }), [forCreation, sessionCreated, save]);
}
