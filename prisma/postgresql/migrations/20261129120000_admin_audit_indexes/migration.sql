-- DropIndex
DROP INDEX "UploadSession_createdAt_idx";

-- CreateIndex
CREATE INDEX "UploadSession_createdAt_id_idx" ON "UploadSession"("createdAt", "id");

-- CreateIndex
CREATE INDEX "UploadSession_status_createdAt_idx" ON "UploadSession"("status", "createdAt");

