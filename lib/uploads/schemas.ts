import { z } from "zod";
import { invisibleCharacterMessage } from "./file-name-rule";

/** Body of `POST /api/uploads`. Sizes in bytes; `lastModified` in ms since the epoch (File.lastModified). */
/**
 * The CKAN resource fields a publisher may set (issue 12), before an upload (with `POST /api/uploads`)
 * and after (`PATCH /api/uploads/{id}/resource`). Limits: `name` 1–1,024 characters, no control or
 * invisible format characters (the file-name rule, CASES 39); `description` up to 10,000 characters
 * (CKAN renders it as Markdown; line breaks allowed); `format` up to 100 characters of letters, digits,
 * spaces and `. _ - + /` (CKAN's `clean_format` keeps it as given unless it is a known format). An
 * empty `description` or `format` clears it; an omitted field keeps the portal's default.
 */
export const resourceFieldsSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "is required when given")
    .max(1024, "is longer than 1,024 characters")
    .refine((n) => !/[\u0000-\u001f\u007f]/.test(n), "must not contain control characters (line breaks, tabs)")
    .superRefine((n, ctx) => {
      const message = invisibleCharacterMessage(n);
      if (message) ctx.addIssue({ code: "custom", message });
    })
    .optional(),
  description: z
    .string()
    .max(10_000, "is longer than 10,000 characters")
    .refine((n) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(n), "must not contain control characters other than line breaks and tabs")
    .optional(),
  format: z
    .string()
    .trim()
    .max(100, "is longer than 100 characters")
    .regex(/^[\p{L}\p{N} ._+\/-]*$/u, "may hold only letters, digits, spaces and . _ - + /")
    .optional(),
});
export type ResourceFieldsInput = z.infer<typeof resourceFieldsSchema>;

/** Body of `PATCH /api/uploads/{id}/resource`: at least one field. */
export const patchResourceSchema = resourceFieldsSchema.refine((v) => v.name !== undefined || v.description !== undefined || v.format !== undefined, "Give at least one of name, description, format.");

/** A part checksum: the algorithm and the base64 digest, as S3's `x-amz-checksum-*` headers carry it. */
export const partChecksumSchema = z.object({
  algorithm: z.enum(["CRC32C", "SHA256"]),
  value: z.string().regex(/^[A-Za-z0-9+/]{6,64}={0,2}$/, "must be a base64 digest"),
});

export const createUploadSchema = resourceFieldsSchema.extend({
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
  /** Replace the file of this CKAN resource of the dataset (resource_patch at completion; it keeps its id). */
  replaceResourceId: z.string().trim().min(1).max(200).optional(),
  /** Confirms replacing a resource whose file this portal did not store (its URL then points to the new upload). */
  replaceExternal: z.boolean().optional(),
  /**
   * Small-file fast path (issue 12): the checksum of the file's only part, for a file of one part.
   * In presigned mode it is signed into the part URL that the answer carries (`signedParts`), so the
   * client sends the part with no `sign` call. Ignored when the portal plans more than one part.
   */
  partChecksum: partChecksumSchema.optional(),
});
export type CreateUploadInput = z.infer<typeof createUploadSchema>;

/** Part numbers are 1–10,000 (AWS S3 API Reference, UploadPart). */
export const partNumberSchema = z.number().int().min(1).max(10_000);

/** Body of `POST /api/uploads/{id}/sign`: up to 100 part numbers per call. */
export const signPartsSchema = z.object({
  partNumbers: z.array(partNumberSchema).min(1).max(100),
  /** Per-part checksums to sign into the URLs (base64 digests, as S3's `x-amz-checksum-*` headers carry them). */
  checksums: z
    .array(partChecksumSchema.extend({ partNumber: partNumberSchema }))
    .max(100)
    .optional(),
});

/** One part the browser stored, with the ETag S3 returned (size in bytes, checksum its base64 value). */
const storedPartSchema = z.object({
  partNumber: partNumberSchema,
  size: z.number().int().nonnegative(),
  etag: z.string().trim().min(1, "is empty: the bucket's CORS rule must expose the ETag header").max(200),
  checksum: z.string().max(200).optional(),
});

/** Body of `POST /api/uploads/{id}/parts`: parts the browser stored, with the ETag S3 returned. */
export const recordPartsSchema = z.object({
  parts: z.array(storedPartSchema).min(1).max(1000),
});

/**
 * Body of `POST /api/uploads/{id}/complete`: the whole-file SHA-256 (hex) when the browser computed it,
 * and the parts not yet reported with `/parts` (up to 1,000; recorded exactly as `/parts` records them,
 * before completing: a small file needs no separate report, issue 12).
 */
export const completeUploadSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits").optional(),
  parts: z.array(storedPartSchema).min(1).max(1000).optional(),
});
