-- AlterTable
ALTER TABLE "photos" ADD COLUMN     "original_key" VARCHAR(1024);

-- Photos uploaded before photo.uploaded's key was kept: the upload service stored every original at
-- originals/<photo id> until then (its layout at the time). From now on the event's key is the truth.
UPDATE "photos" SET "original_key" = 'originals/' || "id" WHERE "original_key" IS NULL AND "uploaded_at" IS NOT NULL;
