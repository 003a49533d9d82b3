import { accessOf, type Access, type AlbumRole } from '../domain/album-access.js';
import type { AlbumEntry, CandidatePhoto } from '../domain/album-decisions.js';
import type { PageQuery } from '../domain/photo-page.js';
import type { VisibleAlbumSet } from '../visible-albums.js';
import { isVisible, type VisiblePhoto } from '../domain/photo-record.js';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { recordOf } from './photo-rows.js';

/**
 * A photo (or the album) was deleted between the check and the insert of an add: the foreign key
 * refused the row. Nothing was added (one statement); the caller answers as for a photo not found.
 */
export class AlbumTargetGoneError extends Error {
  override readonly name = 'AlbumTargetGoneError';
}

/** An album as stored. */
export interface AlbumRow {
  id: string;
  ownerId: string;
  name: string;
  coverPhotoId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An album with how many photos it holds, as lists show it. */
export type AlbumSummary = AlbumRow & { photoCount: number };

/** An album shared with the caller, and in which role. */
export type SharedAlbum = AlbumSummary & { role: AlbumRole; sharedAt: Date };

export interface AlbumGrantRow {
  granteeId: string;
  role: AlbumRole;
  createdAt: Date;
}

/** A photo that may go into an album: visible (uploaded), with its sort key. */
export type AlbumCandidate = CandidatePhoto & { uploadedAt: Date };

/** The albums tables, and the reads the visibility rule ({@link accessOf}) needs. */
export interface AlbumStore {
  create(album: Omit<AlbumRow, 'updatedAt'>): Promise<AlbumRow>;
  /** The album and what the caller is to it (per {@link accessOf}); undefined access when not visible. */
  withAccess(callerId: string, albumId: string): Promise<{ album?: AlbumSummary; access: Access }>;
  /** The caller's own albums, newest first. */
  owned(ownerId: string): Promise<AlbumSummary[]>;
  /** The albums shared with the caller, most recently shared first. */
  sharedWith(granteeId: string): Promise<SharedAlbum[]>;
  update(albumId: string, change: { name?: string; coverPhotoId?: string | null }): Promise<void>;
  /** Deletes the album, its memberships and grants; the photos stay. */
  delete(albumId: string): Promise<void>;
  /** The photos among `ids` that exist and are shown (uploaded), with their owners. */
  candidates(ids: readonly string[]): Promise<AlbumCandidate[]>;
  /** Inserts the memberships not there yet; resolves with the ids actually added. */
  addPhotos(albumId: string, addedBy: string, photos: readonly AlbumCandidate[], now: Date): Promise<string[]>;
  /** The memberships of `photoIds` in the album (ids not in it are left out). */
  entries(albumId: string, photoIds: readonly string[]): Promise<AlbumEntry[]>;
  /** Takes the photos out, unsetting the cover if it was one of them. */
  removePhotos(albumId: string, photoIds: readonly string[]): Promise<void>;
  /** Up to `limit + 1` photos of the album in the gallery's order (uploadedAt DESC, id DESC). */
  page(albumId: string, query: Pick<PageQuery, 'limit' | 'after'>): Promise<VisiblePhoto[]>;
  /**
   * The photo if the caller may see it through an album shared with them, or through an album of their
   * own that a contributor put it in (never their own photo: the owner's reads go through the cached
   * path), per {@link accessOf}. `visible` is the caller's visible-album set.
   */
  sharedPhoto(callerId: string, photoId: string, visible: VisibleAlbumSet): Promise<VisiblePhoto | undefined>;
  /** The albums shared with `granteeId` and the role of each (for the cached {@link VisibleAlbumSet}). */
  grantsOf(granteeId: string): Promise<VisibleAlbumSet>;
  grants(albumId: string): Promise<AlbumGrantRow[]>;
  /** Shares, or changes the role of an existing grant. */
  share(albumId: string, granteeId: string, role: AlbumRole, now: Date): Promise<void>;
  /** Revokes; resolves with whether there was a grant. */
  revoke(albumId: string, granteeId: string): Promise<boolean>;
}

const SUMMARY = { _count: { select: { photos: true } } } as const;
const summaryOf = <T extends { _count: { photos: number } }>({ _count, ...album }: T) => ({ ...album, photoCount: _count.photos });

/** The Prisma implementation of {@link AlbumStore}. */
export function createAlbumStore(prisma: PrismaClient): AlbumStore {
  return {
    create: (album) => prisma.album.create({ data: album }),

    async withAccess(callerId, albumId) {
      const row = await prisma.album.findUnique({
        where: { id: albumId },
        include: { ...SUMMARY, grants: { where: { granteeId: callerId }, select: { role: true } } },
      });
      if (!row) return { access: undefined };
      const { grants, ...album } = row;
      const access = accessOf(callerId, album, grants);
      return access ? { album: summaryOf(album), access } : { access };
    },

    async owned(ownerId) {
      const rows = await prisma.album.findMany({ where: { ownerId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], include: SUMMARY });
      return rows.map(summaryOf);
    },

    async sharedWith(granteeId) {
      const grants = await prisma.albumGrant.findMany({
        where: { granteeId },
        orderBy: [{ createdAt: 'desc' }, { albumId: 'desc' }],
        include: { album: { include: SUMMARY } },
      });
      return grants.map(({ album, role, createdAt }) => ({ ...summaryOf(album), role, sharedAt: createdAt }));
    },

    async update(albumId, change) {
      await prisma.album.update({ where: { id: albumId }, data: change });
    },

    async delete(albumId) {
      await prisma.album.deleteMany({ where: { id: albumId } });
    },

    async candidates(ids) {
      const rows = await prisma.photo.findMany({
        where: { id: { in: [...ids] }, uploadedAt: { not: null } },
        select: { id: true, ownerId: true, uploadedAt: true },
      });
      return rows.map((row) => ({ id: row.id, ownerId: row.ownerId, uploadedAt: row.uploadedAt! }));
    },

    async addPhotos(albumId, addedBy, photos, now) {
      const existing = await prisma.albumPhoto.findMany({ where: { albumId, photoId: { in: photos.map((p) => p.id) } }, select: { photoId: true } });
      const have = new Set(existing.map((row) => row.photoId));
      const fresh = photos.filter((photo) => !have.has(photo.id));
      // skipDuplicates: a concurrent add of the same photo is not an error, the photo is in the album.
      try {
        await prisma.albumPhoto.createMany({
          data: fresh.map((photo) => ({ albumId, photoId: photo.id, photoUploadedAt: photo.uploadedAt, addedBy, addedAt: now })),
          skipDuplicates: true,
        });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003')
          throw new AlbumTargetGoneError('a photo or the album is gone', { cause: error });
        throw error;
      }
      return fresh.map((photo) => photo.id);
    },

    entries: (albumId, photoIds) =>
      prisma.albumPhoto.findMany({ where: { albumId, photoId: { in: [...photoIds] } }, select: { photoId: true, addedBy: true } }),

    async removePhotos(albumId, photoIds) {
      await prisma.$transaction([
        prisma.albumPhoto.deleteMany({ where: { albumId, photoId: { in: [...photoIds] } } }),
        prisma.album.updateMany({ where: { id: albumId, coverPhotoId: { in: [...photoIds] } }, data: { coverPhotoId: null } }),
      ]);
    },

    async page(albumId, { limit, after }) {
      // The same keyset condition as the gallery's (photo-queries.ts), on album_photos_album_uploaded_idx.
      const rows = await prisma.albumPhoto.findMany({
        where: {
          albumId,
          ...(after ? { photoUploadedAt: { lte: after.uploadedAt }, OR: [{ photoUploadedAt: { lt: after.uploadedAt } }, { photoId: { lt: after.id } }] } : {}),
        },
        orderBy: [{ photoUploadedAt: 'desc' }, { photoId: 'desc' }],
        take: limit + 1,
        select: { photo: { omit: { updatedAt: true, exif: true } } },
      });
      return rows.map(({ photo }) => recordOf({ ...photo, exif: null })).filter(isVisible);
    },

    async sharedPhoto(callerId, photoId, visible) {
      // Every album holding the photo (a few; by album_photos_photo_idx, then albums_pkey): the caller's own
      // albums count too, as their owner sees what a contributor put in them (the album's page shows it).
      const row = await prisma.photo.findUnique({
        where: { id: photoId },
        omit: { updatedAt: true },
        include: { albums: { select: { albumId: true, album: { select: { ownerId: true } } } } },
      });
      if (!row) return undefined;
      const { albums, ...photo } = row;
      const grants = albums.flatMap(({ albumId, album }) =>
        album.ownerId === callerId ? [{ role: 'viewer' as const }] : visible[albumId] ? [{ role: visible[albumId] }] : [],
      );
      const access = accessOf(callerId, photo, grants);
      if (access === undefined || access === 'owner') return undefined;
      const record = recordOf(photo);
      return isVisible(record) ? record : undefined;
    },

    async grantsOf(granteeId) {
      const rows = await prisma.albumGrant.findMany({ where: { granteeId }, select: { albumId: true, role: true } });
      return Object.fromEntries(rows.map(({ albumId, role }) => [albumId, role]));
    },

    grants: (albumId) =>
      prisma.albumGrant.findMany({
        where: { albumId },
        orderBy: [{ createdAt: 'asc' }, { granteeId: 'asc' }],
        select: { granteeId: true, role: true, createdAt: true },
      }),

    async share(albumId, granteeId, role, now) {
      await prisma.albumGrant.upsert({
        where: { albumId_granteeId: { albumId, granteeId } },
        create: { albumId, granteeId, role, createdAt: now },
        update: { role },
      });
    },

    async revoke(albumId, granteeId) {
      const { count } = await prisma.albumGrant.deleteMany({ where: { albumId, granteeId } });
      return count > 0;
    },
  };
}
