-- CreateEnum
CREATE TYPE "photo_status" AS ENUM ('processing', 'ready', 'failed');

-- CreateTable
CREATE TABLE "photos" (
    "id" UUID NOT NULL,
    "owner_id" VARCHAR(255) NOT NULL,
    "status" "photo_status" NOT NULL DEFAULT 'processing',
    "filename" VARCHAR(255),
    "content_type" VARCHAR(100),
    "bytes" INTEGER,
    "sha256" CHAR(64),
    "width" INTEGER,
    "height" INTEGER,
    "taken_at" VARCHAR(40),
    "taken_at_local" TIMESTAMP(3),
    "uploaded_at" TIMESTAMPTZ(3),
    "placeholder" VARCHAR(200),
    "dominant_color" CHAR(7),
    "exif" JSONB,
    "variants" JSONB,
    "failure_code" VARCHAR(100),
    "failure_reason" VARCHAR(1000),
    "status_event_time" TIMESTAMPTZ(3),
    "status_event_id" VARCHAR(200),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "photos_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "photo_tombstones" (
    "photo_id" UUID NOT NULL,
    "owner_id" VARCHAR(255) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "photo_tombstones_pkey" PRIMARY KEY ("photo_id")
);

-- CreateIndex
CREATE INDEX "photos_owner_uploaded_idx" ON "photos"("owner_id", "uploaded_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "photos_owner_status_uploaded_idx" ON "photos"("owner_id", "status", "uploaded_at" DESC, "id" DESC);
