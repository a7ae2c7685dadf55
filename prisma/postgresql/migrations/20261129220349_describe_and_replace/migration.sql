-- AlterTable
ALTER TABLE "UploadSession" ADD COLUMN     "objectDeletedAt" TIMESTAMP(3),
ADD COLUMN     "previousObjectKey" TEXT,
ADD COLUMN     "previousSessionId" TEXT,
ADD COLUMN     "replacedBySessionId" TEXT,
ADD COLUMN     "replacesResourceId" TEXT,
ADD COLUMN     "resourceDescription" TEXT,
ADD COLUMN     "resourceFormat" TEXT,
ADD COLUMN     "resourceName" TEXT;

-- CreateIndex
CREATE INDEX "UploadSession_resourceId_idx" ON "UploadSession"("resourceId");
