import { z } from "zod";
import { invisibleCharacterMessage } from "./file-name-rule";

/** Body of `POST /api/uploads`. Sizes in bytes; `lastModified` in ms since the epoch (File.lastModified). */
export const createUploadSchema = z.object({
  datasetId: z.string().trim().min(1).max(200),
  fileName: z
    .string()
    .min(1, "is required")
    .max(1024, "is longer than 1,024 characters")
    .refine((n) => !/[\u0000-\u001f\u007f]/.test(n), "must not contain control characters (line breaks, tabs)")
    // Bidi controls and other invisible format characters (CASES 39): the message names the character and its position.
    .superRefine((n, ctx) => {
      const message = invisibleCharacterMessage(n);
      if (message) ctx.addIssue({ code: "custom", message });
    }),
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  contentType: z.string().max(255).optional().default(""),
  /** ECMAScript's largest time value is 8.64e15 ms (ECMA-262 §21.4.1.1); anything beyond is no date. */
  lastModified: z.number().int().nonnegative().max(8.64e15, "is not a valid time").optional(),
  /**
   * The browser's preferred part size in bytes (PART_TUNING=adaptive asks for larger parts for large
   * files, issue 11). The portal plans max(PART_SIZE_BYTES, this), within S3's limits (5 GiB per part,
   * AWS "Amazon S3 multipart upload limits").
   */
  partSize: z.number().int().positive().max(5 * 1024 ** 3, "is over the S3 limit of 5 GiB per part").optional(),
});
export type CreateUploadInput = z.infer<typeof createUploadSchema>;

/** Part numbers are 1–10,000 (AWS S3 API Reference, UploadPart). */
export const partNumberSchema = z.number().int().min(1).max(10_000);

/** Body of `POST /api/uploads/{id}/sign`: up to 100 part numbers per call. */
export const signPartsSchema = z.object({
  partNumbers: z.array(partNumberSchema).min(1).max(100),
  /** Per-part checksums to sign into the URLs (base64 digests, as S3's `x-amz-checksum-*` headers carry them). */
  checksums: z
    .array(z.object({ partNumber: partNumberSchema, algorithm: z.enum(["CRC32C", "SHA256"]), value: z.string().regex(/^[A-Za-z0-9+/]{6,64}={0,2}$/, "must be a base64 digest") }))
    .max(100)
    .optional(),
});

/** Body of `POST /api/uploads/{id}/parts`: parts the browser stored, with the ETag S3 returned. */
export const recordPartsSchema = z.object({
  parts: z
    .array(
      z.object({
        partNumber: partNumberSchema,
        size: z.number().int().nonnegative(),
        etag: z.string().trim().min(1, "is empty: the bucket's CORS rule must expose the ETag header").max(200),
        checksum: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

/** Body of `POST /api/uploads/{id}/complete`: the whole-file SHA-256 (hex) when the browser computed it. */
export const completeUploadSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits").optional(),
});
