-- CreateEnum
CREATE TYPE "album_role" AS ENUM ('viewer', 'contributor');

-- CreateTable
CREATE TABLE "albums" (
    "id" UUID NOT NULL,
    "owner_id" VARCHAR(255) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "cover_photo_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "albums_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "album_photos" (
    "album_id" UUID NOT NULL,
    "photo_id" UUID NOT NULL,
    "photo_uploaded_at" TIMESTAMPTZ(3) NOT NULL,
    "added_by" VARCHAR(255) NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "album_photos_pkey" PRIMARY KEY ("album_id","photo_id")
);

-- CreateTable
CREATE TABLE "album_grants" (
    "album_id" UUID NOT NULL,
    "grantee_id" VARCHAR(255) NOT NULL,
    "role" "album_role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "album_grants_pkey" PRIMARY KEY ("album_id","grantee_id")
);

-- CreateIndex
CREATE INDEX "albums_owner_created_idx" ON "albums"("owner_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "albums_cover_photo_idx" ON "albums"("cover_photo_id");

-- CreateIndex
CREATE INDEX "album_photos_album_uploaded_idx" ON "album_photos"("album_id", "photo_uploaded_at" DESC, "photo_id" DESC);

-- CreateIndex
CREATE INDEX "album_photos_photo_idx" ON "album_photos"("photo_id");

-- CreateIndex
CREATE INDEX "album_grants_grantee_idx" ON "album_grants"("grantee_id", "album_id");

-- AddForeignKey
ALTER TABLE "albums" ADD CONSTRAINT "albums_cover_photo_id_fkey" FOREIGN KEY ("cover_photo_id") REFERENCES "photos"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "album_photos" ADD CONSTRAINT "album_photos_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "album_photos" ADD CONSTRAINT "album_photos_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "album_grants" ADD CONSTRAINT "album_grants_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;
