/**
 * The typed events of one file upload. A UI subscribes with `onEvent` and
 * switches on `type`; nothing else leaves the engine.
 */
import type { UploadErrorCode } from "./errors";
import type { CompleteResult } from "./portal-api";
import type { ProgressSnapshot } from "./progress";

/**
 * States of one file upload.
 * `idle → preparing → uploading → completing → completed`; `paused` from
 * preparing/uploading and back; `failed` from any active state (resumable);
 * `cancelled` from anything but completing/completed.
 */
export type FileUploadState =
  | "idle"
  | "preparing"
  | "uploading"
  | "paused"
  | "completing"
  | "completed"
  | "failed"
  | "cancelled";

/** An error as shown to users: stable code + message. */
export interface UploadErrorInfo {
  code: UploadErrorCode;
  message: string;
  /** The part it concerns, if any. */
  partNumber?: number;
  /** The portal's error code for code `api` (e.g. `ckan_failed`: stored, not yet registered in CKAN). */
  apiCode?: string;
  /** The values `message` was built from (code-specific; see `UploadEngineErrorDetails.params`): pages translate `code` with them. */
  params?: Readonly<Record<string, string | number>>;
}

/** Every event a file upload emits. */
export type FileUploadEvent =
  /** The state changed. */
  | { type: "state"; state: FileUploadState; previous: FileUploadState }
  /** Bytes moved (throttled; always sent when a part finishes and at the end). */
  | { type: "progress"; progress: ProgressSnapshot }
  /** The upload failed (state `failed`), or cleaning up after cancel failed. Never sent for pause. */
  | { type: "error"; error: UploadErrorInfo }
  /** A request failed and will be tried again: for diagnostics and tests, not for users. */
  | {
      type: "retry";
      /** What is retried. */
      what: "part" | "session" | "credentials" | "record" | "complete" | "abort";
      partNumber?: number;
      attempt: number;
      delayMs: number;
      decision: "retry" | "refresh";
      error: UploadErrorInfo;
      /**
       * The portal's limit answered 429 with `Retry-After`: the request waits `delayMs` and is sent
       * again by itself (no attempt spent, nothing lost). Pages show it ("waiting N s: upload limit").
       */
      rateLimited?: boolean;
    }
  /** The portal session exists (new or resumed): what a page must keep to resume after a reload. Sizes in bytes. */
  | { type: "session"; sessionId: string; key: string; uploadId: string | null; partSize: number; partCount: number; resumed: boolean }
  /** The CRC32C (base64) of a part, from the file hasher: the resume fingerprint of that part. */
  | { type: "digest"; partNumber: number; digest: string }
  /** The store does not verify per-part checksums (no echo, or it rejected the header): parts continue without them (CASES 21). */
  | { type: "checksums-off"; reason: string }
  /** A part is stored in S3 (its ETag is known). */
  | { type: "part"; partNumber: number; size: number }
  /**
   * The portal answered 401: the sign-in ended. The upload keeps every part and waits (no retries
   * spent) until the user signs in again, then goes on by itself (`signed-in`). `message` is what to show.
   */
  | { type: "signed-out"; message: string }
  /** A valid sign-in exists again after `signed-out`: the upload goes on. */
  | { type: "signed-in" }
  /** The upload completed; `result` is the portal's answer to complete. */
  | { type: "completed"; result: CompleteResult };

/** Receives events. Must not throw (a throwing listener is ignored). */
export type FileUploadListener = (event: FileUploadEvent) => void;
