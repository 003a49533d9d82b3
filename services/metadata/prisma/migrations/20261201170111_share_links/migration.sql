-- CreateTable
CREATE TABLE "share_links" (
    "id" UUID NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "album_id" UUID,
    "photo_id" UUID,
    "owner_id" VARCHAR(255) NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "password_hash" VARCHAR(255),
    "allow_download" BOOLEAN NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "share_links_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "share_links_token_hash_key" ON "share_links"("token_hash");

-- CreateIndex
CREATE INDEX "share_links_album_idx" ON "share_links"("album_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "share_links_photo_idx" ON "share_links"("photo_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "share_links" ADD CONSTRAINT "share_links_album_id_fkey" FOREIGN KEY ("album_id") REFERENCES "albums"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "share_links" ADD CONSTRAINT "share_links_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A link opens one album or one photo, never both or neither (a CHECK: Prisma's schema cannot state it).
ALTER TABLE "share_links" ADD CONSTRAINT "share_links_one_target" CHECK (("album_id" IS NULL) <> ("photo_id" IS NULL));
