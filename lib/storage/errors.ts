/** A failed call to S3 or STS. `service` names the peer; `code` is the S3/STS error code when known. */
export class StorageError extends Error {
  constructor(
    message: string,
    public readonly service: "S3" | "STS",
    public readonly operation: string,
    public readonly code?: string,
    public readonly httpStatus?: number,
    options?: { cause?: unknown; setting?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StorageError";
    if (options?.setting) this.setting = options.setting;
  }

  /** The portal setting the failure comes from (e.g. "STS_DURATION_SECONDS"), when it is known. */
  readonly setting?: string;
}

/** Wraps an AWS SDK error (or a network failure) as a StorageError with a message that names the peer. */
export function toStorageError(err: unknown, service: "S3" | "STS", operation: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.Code ?? e?.name;
  const reason = status ? `${code ?? "error"} (HTTP ${status})` : `unreachable or failed: ${e?.message ?? String(err)}`;
  return new StorageError(`${service} ${operation} failed: ${reason}`, service, operation, code, status, { cause: err });
}
