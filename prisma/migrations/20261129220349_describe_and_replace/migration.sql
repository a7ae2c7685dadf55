-- AlterTable
ALTER TABLE "UploadSession" ADD COLUMN "objectDeletedAt" DATETIME;
ALTER TABLE "UploadSession" ADD COLUMN "previousObjectKey" TEXT;
ALTER TABLE "UploadSession" ADD COLUMN "previousSessionId" TEXT;
ALTER TABLE "UploadSession" ADD COLUMN "replacedBySessionId" TEXT;
ALTER TABLE "UploadSession" ADD COLUMN "replacesResourceId" TEXT;
ALTER TABLE "UploadSession" ADD COLUMN "resourceDescription" TEXT;
ALTER TABLE "UploadSession" ADD COLUMN "resourceFormat" TEXT;
ALTER TABLE "UploadSession" ADD COLUMN "resourceName" TEXT;

-- CreateIndex
CREATE INDEX "UploadSession_resourceId_idx" ON "UploadSession"("resourceId");

