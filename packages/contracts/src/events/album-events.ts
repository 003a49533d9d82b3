import Type from 'typebox';
import { defineEvent } from '../define-event.js';
import { OwnerId, PhotoId, Timestamp, openObject } from './common.js';

/** An album id: a UUID chosen by the metadata service; also the CloudEvents subject of album events. */
const AlbumId = Type.String({ format: 'uuid', description: 'The album id (UUID); also the CloudEvents subject.' });

/** A grantee: the `sub` of the account the album is shared with. */
const GranteeId = Type.String({ minLength: 1, maxLength: 255, description: "The `sub` of the grantee's token." });

const Role = Type.Union([Type.Literal('viewer'), Type.Literal('contributor')], {
  description: 'viewer: sees the album; contributor: may also add their own photos.',
});

const ALBUM = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';

/** `album.created.v1`: an owner made an album. */
export const AlbumCreatedV1 = defineEvent({
  name: 'album.created',
  version: 1,
  description: 'An album was created by its owner.',
  schema: Type.Object({ albumId: AlbumId, ownerId: OwnerId, name: Type.String({ minLength: 1, maxLength: 200 }), createdAt: Timestamp }, openObject),
  example: { albumId: ALBUM, ownerId: 'user-7f3a', name: 'Summer 2026', createdAt: '2026-11-22T11:00:00.000Z' },
});

/** `album.photos-added.v1`: photos went into an album (by its owner or a contributor). */
export const AlbumPhotosAddedV1 = defineEvent({
  name: 'album.photos-added',
  version: 1,
  description: 'Photos were added to an album, by its owner or a contributor (addedBy); only the ones not there before are listed.',
  schema: Type.Object(
    { albumId: AlbumId, ownerId: OwnerId, addedBy: OwnerId, photoIds: Type.Array(PhotoId, { minItems: 1, maxItems: 100 }), addedAt: Timestamp },
    openObject,
  ),
  example: {
    albumId: ALBUM,
    ownerId: 'user-7f3a',
    addedBy: 'user-91bc',
    photoIds: ['0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30'],
    addedAt: '2026-11-22T11:05:00.000Z',
  },
});

/** `album.shared.v1`: the owner shared an album with an account, or changed its role. */
export const AlbumSharedV1 = defineEvent({
  name: 'album.shared',
  version: 1,
  description: 'An album was shared with an account (or its role changed): e.g. to notify the grantee.',
  schema: Type.Object({ albumId: AlbumId, ownerId: OwnerId, granteeId: GranteeId, role: Role, sharedAt: Timestamp }, openObject),
  example: { albumId: ALBUM, ownerId: 'user-7f3a', granteeId: 'user-91bc', role: 'viewer', sharedAt: '2026-11-22T11:10:00.000Z' },
});

/** `album.share-revoked.v1`: the owner stopped sharing an album with an account. */
export const AlbumShareRevokedV1 = defineEvent({
  name: 'album.share-revoked',
  version: 1,
  description: 'An album is no longer shared with an account; it sees none of its photos from now on.',
  schema: Type.Object({ albumId: AlbumId, ownerId: OwnerId, granteeId: GranteeId, revokedAt: Timestamp }, openObject),
  example: { albumId: ALBUM, ownerId: 'user-7f3a', granteeId: 'user-91bc', revokedAt: '2026-11-22T12:00:00.000Z' },
});

/** `album.deleted.v1`: the owner deleted an album (its photos stay); its grants went with it. */
export const AlbumDeletedV1 = defineEvent({
  name: 'album.deleted',
  version: 1,
  description: 'An album was deleted by its owner; its photos stay, its grants are gone (granteeIds: who lost access).',
  schema: Type.Object({ albumId: AlbumId, ownerId: OwnerId, granteeIds: Type.Array(GranteeId), deletedAt: Timestamp }, openObject),
  example: { albumId: ALBUM, ownerId: 'user-7f3a', granteeIds: ['user-91bc'], deletedAt: '2026-11-22T13:00:00.000Z' },
});

const LinkId = Type.String({ format: 'uuid', description: 'The share link id (never its token, which only its holders know).' });
/** What the link opens: exactly one of the two is present, and is the subject. */
const LinkTarget = {
  albumId: Type.Optional(Type.String({ format: 'uuid', description: 'The album the link opens (album links only); then the subject.' })),
  photoId: Type.Optional(Type.String({ format: 'uuid', description: 'The photo the link opens (photo links only); then the subject.' })),
};

/** `share-link.created.v1`: an owner made a link that opens an album or one photo to anyone holding it. */
export const ShareLinkCreatedV1 = defineEvent({
  name: 'share-link.created',
  version: 1,
  description:
    'An owner created a share link to an album or one photo (view only, no account needed). The subject is the album or photo id. ' +
    'The token itself is never published.',
  schema: Type.Object(
    {
      linkId: LinkId,
      ...LinkTarget,
      ownerId: OwnerId,
      expiresAt: Type.Union([Timestamp, Type.Null()], { description: 'When the link stops working; null: never.' }),
      hasPassword: Type.Boolean(),
      allowDownload: Type.Boolean({ description: 'Whether holders may download the originals.' }),
      createdAt: Timestamp,
    },
    openObject,
  ),
  example: {
    linkId: '3c9f1e2a-7b4d-4e8f-9a1b-2c3d4e5f6a7b',
    albumId: ALBUM,
    ownerId: 'user-7f3a',
    expiresAt: '2026-12-22T11:00:00.000Z',
    hasPassword: true,
    allowDownload: false,
    createdAt: '2026-11-22T11:00:00.000Z',
  },
});

/** `share-link.revoked.v1`: the owner revoked a share link; it opens nothing from now on. */
export const ShareLinkRevokedV1 = defineEvent({
  name: 'share-link.revoked',
  version: 1,
  description: 'A share link was revoked by its owner and opens nothing from now on. The subject is the album or photo id.',
  schema: Type.Object({ linkId: LinkId, ...LinkTarget, ownerId: OwnerId, revokedAt: Timestamp }, openObject),
  example: { linkId: '3c9f1e2a-7b4d-4e8f-9a1b-2c3d4e5f6a7b', albumId: ALBUM, ownerId: 'user-7f3a', revokedAt: '2026-11-23T09:00:00.000Z' },
});
