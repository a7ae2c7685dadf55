-- AlterTable
ALTER TABLE "UploadSession" ADD COLUMN     "integrityCheckedAt" TIMESTAMP(3),
ADD COLUMN     "integrityFailedAt" TIMESTAMP(3),
ADD COLUMN     "integrityProblem" TEXT,
ADD COLUMN     "storedChecksum" TEXT,
ADD COLUMN     "storedLastModified" TIMESTAMP(3),
ADD COLUMN     "storedVersionId" TEXT;

-- CreateIndex
CREATE INDEX "UploadSession_status_integrityCheckedAt_idx" ON "UploadSession"("status", "integrityCheckedAt");

-- CreateIndex
CREATE INDEX "UploadSession_integrityFailedAt_idx" ON "UploadSession"("integrityFailedAt");
