-- AlterTable
ALTER TABLE "photos" ADD COLUMN     "original_key" VARCHAR(1024);
