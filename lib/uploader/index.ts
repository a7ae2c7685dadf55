/**
 * The browser upload engine: plain TypeScript, no React, no Next.js — runs in
 * a window, a Web Worker or Node. Start with `createFileUpload`.
 *
 * Test doubles (an in-memory S3 transport and portal) live in
 * `lib/uploader/testing/` and are deliberately not exported here.
 */
export { createFileUpload, type FileUpload } from "./file-upload";
export type { FileUploadOptions, UploadFile } from "./file-upload-options";
export type { FileUploadEvent, FileUploadListener, FileUploadState, UploadErrorInfo } from "./events";
export type { ProgressSnapshot } from "./progress";
export { createProgressTracker, type ProgressOptions, type ProgressTracker } from "./progress";

export { UploadEngineError, isUploadEngineError, type UploadErrorCode } from "./errors";
export { classify, backoffDelay, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_REFRESHES, type RetryDecision, type BackoffOptions } from "./retry";

export { MiB, GiB, TiB, MIN_PART_SIZE, MAX_PART_SIZE, MAX_PARTS, MAX_OBJECT_SIZE, formatBytes } from "./limits";
export { planParts, checkPlan, partRange, parts, type PartPlan, type PartRange, type PlanOptions } from "./plan";

export type {
  PortalApi,
  CreateSessionInput,
  UploadSession,
  RecordedPart,
  SignedPartUrl,
  SignPartsResult,
  PartChecksumEntry,
  CompleteResult,
  TemporaryCredentials,
  PortalCallOptions,
} from "./portal-api";
export { createPortalApi, type PortalApiOptions } from "./fetch-portal-api";

export type { Transport, TransportRequest, TransportResponse } from "./transport";
export { createXhrTransport, type XhrTransportOptions } from "./xhr-transport";

export type { PartSigner, SignedPart, SignOptions, RefreshReason, PartChecksum, ChecksumAlgorithm } from "./signer";
// `createStsSigner` is imported from "@/lib/uploader/sts-signer" directly: it pulls in the AWS SDK.
export type { StsSigner, StsSignerOptions, StsCredentials } from "./sts-signer";
export { createPortalSigner, type PortalSignerOptions } from "./portal-signer";

export { checksumPart, checksumBytes, type ChecksumFn } from "./checksum";
export { systemClock, type Clock } from "./clock";
export { alwaysOnline, createBrowserOnlineMonitor, defaultOnlineMonitor, type OnlineMonitor } from "./online";
export { runPool, type PoolOptions } from "./pool";
export { createPartSlots, createGate, type PartSlots, type PartSlot, type PartSlotsOptions, type SlotRequest } from "./part-slots";
export { parseRetryAfter, rateLimitWaitMs } from "./rate-limit-wait";
export {
  createPartTuner, adaptivePartSize, fitLink, PART_TUNING_MODES, MAX_TUNED_CONCURRENCY, MAX_TUNED_PART_SIZE,
  type PartTuner, type PartTunerOptions, type PartTuningMode,
} from "./tuning";
