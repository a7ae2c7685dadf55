import "server-only";
import { UploadPartCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { toStorageError } from "./errors";

/** A part checksum the browser computed (base64 of the big-endian digest), to be signed into its URL. */
export interface PartChecksumInput {
  algorithm: "CRC32C" | "SHA256";
  value: string;
}

/** A presigned UploadPart request: the URL, and the headers the browser must send exactly. */
export interface PresignedPart {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
}

/**
 * Presigned UploadPart URLs whose signature covers the part's checksum headers
 * (`x-amz-checksum-crc32c` or `-sha256`, and `x-amz-sdk-checksum-algorithm`) when one is given —
 * sent as headers, never hoisted into the query (AWS S3 User Guide, "Checking object integrity";
 * SigV4 signs every `x-amz-*` header sent). Parts without a checksum get no checksum header at all,
 * so stores without checksum support keep working (CASES 21). Valid `expiresIn` seconds.
 * @throws StorageError
 */
export async function presignPartsWithChecksums(
  s3: S3Client,
  input: { bucket: string; key: string; uploadId: string; parts: Array<{ partNumber: number; checksum?: PartChecksumInput }>; expiresIn: number },
): Promise<PresignedPart[]> {
  try {
    return await Promise.all(
      input.parts.map(async ({ partNumber, checksum }) => {
        const base = { Bucket: input.bucket, Key: input.key, UploadId: input.uploadId, PartNumber: partNumber };
        if (!checksum) {
          return { partNumber, url: await getSignedUrl(s3, new UploadPartCommand(base), { expiresIn: input.expiresIn }), headers: {} };
        }
        const header = checksum.algorithm === "CRC32C" ? "x-amz-checksum-crc32c" : "x-amz-checksum-sha256";
        const headers = { [header]: checksum.value, "x-amz-sdk-checksum-algorithm": checksum.algorithm };
        const command = new UploadPartCommand({
          ...base,
          ChecksumAlgorithm: checksum.algorithm,
          ...(checksum.algorithm === "CRC32C" ? { ChecksumCRC32C: checksum.value } : { ChecksumSHA256: checksum.value }),
        });
        const names = new Set(Object.keys(headers));
        const url = await getSignedUrl(s3, command, { expiresIn: input.expiresIn, signableHeaders: names, unhoistableHeaders: names });
        return { partNumber, url, headers };
      }),
    );
  } catch (err) {
    throw toStorageError(err, "S3", "presign UploadPart");
  }
}
