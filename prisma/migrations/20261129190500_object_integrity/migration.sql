-- AlterTable
ALTER TABLE "UploadSession" ADD COLUMN "integrityCheckedAt" DATETIME;
ALTER TABLE "UploadSession" ADD COLUMN "integrityFailedAt" DATETIME;
ALTER TABLE "UploadSession" ADD COLUMN "integrityProblem" TEXT;
ALTER TABLE "UploadSession" ADD COLUMN "storedChecksum" TEXT;
ALTER TABLE "UploadSession" ADD COLUMN "storedLastModified" DATETIME;
ALTER TABLE "UploadSession" ADD COLUMN "storedVersionId" TEXT;

-- CreateIndex
CREATE INDEX "UploadSession_status_integrityCheckedAt_idx" ON "UploadSession"("status", "integrityCheckedAt");

-- CreateIndex
CREATE INDEX "UploadSession_integrityFailedAt_idx" ON "UploadSession"("integrityFailedAt");

