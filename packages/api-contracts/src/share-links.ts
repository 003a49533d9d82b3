import Type, { type Static, type TSchema } from 'typebox';
import { PhotoSchema, StoredPhotoSchema } from './photo-view.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Expiry = Nullable(Type.String({ format: 'date-time', description: 'When the link stops working (410 after); null: never.' }));

/** What the owner chooses when making a share link (all optional: a link that never expires, no password, view only). */
export const CreateShareLinkSchema = Type.Object(
  {
    expiresAt: Type.Optional(Expiry),
    password: Type.Optional(Type.String({ minLength: 4, maxLength: 128, description: 'Asked of every holder once (the link page unlocks with it).' })),
    allowDownload: Type.Optional(Type.Boolean({ default: false, description: 'Whether holders may download the originals.' })),
  },
  {
    $id: 'CreateShareLink',
    title: 'CreateShareLink',
    additionalProperties: false,
    examples: [{ expiresAt: '2026-12-31T23:00:00.000Z', password: 'sea-and-sand', allowDownload: false }],
  },
);

const linkFields = {
  id: Type.String({ format: 'uuid', description: 'The link id (to revoke it); not the token.' }),
  expiresAt: Expiry,
  hasPassword: Type.Boolean(),
  allowDownload: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
};

/** A live share link as its owner lists it: never its token, which is shown once, at creation. */
export const ShareLinkSchema = Type.Object(linkFields, { $id: 'ShareLink', title: 'ShareLink' });

export const ShareLinkListSchema = Type.Object(
  { items: Type.Array(ShareLinkSchema, { description: 'Live links (not revoked; expired ones included), newest first.' }) },
  { $id: 'ShareLinkList', title: 'ShareLinkList' },
);

const Token = Type.String({ description: 'The secret of the link (256 random bits, base64url): anyone holding it sees what it opens. Shown only now.' });

/** A new link as metadata answers it: with its token, the only time anyone sees it. */
export const StoredCreatedShareLinkSchema = Type.Object({ ...linkFields, token: Token }, { $id: 'StoredCreatedShareLink', title: 'StoredCreatedShareLink' });

/** A new link as the public API answers it: the token, and the web page that opens it. */
export const CreatedShareLinkSchema = Type.Object(
  { ...linkFields, token: Token, url: Type.String({ description: 'The path of the link page, /s/<token>: put the origin in front to share it.' }) },
  { $id: 'CreatedShareLink', title: 'CreatedShareLink' },
);

/** The album a link opens, as its holder sees it. */
export const LinkedAlbumSchema = Type.Object(
  { id: Type.String({ format: 'uuid' }), title: Type.String({ description: "The album's name." }), photoCount: Type.Integer({ minimum: 0 }) },
  { $id: 'LinkedAlbum', title: 'LinkedAlbum' },
);

function sharedLinkFields<P extends TSchema>(photo: P) {
  return {
    kind: Type.Union([Type.Literal('album'), Type.Literal('photo')], { description: 'What the link opens: an album (see album) or one photo (see photo).' }),
    album: Type.Optional(LinkedAlbumSchema),
    photo: Type.Optional(photo),
    allowDownload: Type.Boolean({ description: 'Whether GET /api/links/{token}/photos/{photoId}/original answers (else 403).' }),
    expiresAt: Expiry,
  };
}

/** What a share link opens, as metadata answers it (variant keys). */
export const StoredSharedLinkSchema = Type.Object(sharedLinkFields(StoredPhotoSchema), { $id: 'StoredSharedLink', title: 'StoredSharedLink' });

/** What a share link opens, as the link page shows it (variant URLs). */
export const SharedLinkSchema = Type.Object(sharedLinkFields(PhotoSchema), { $id: 'SharedLink', title: 'SharedLink' });

export const UnlockShareLinkSchema = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 128 }) },
  { $id: 'UnlockShareLink', title: 'UnlockShareLink', additionalProperties: false },
);

/** Metadata's answer to a right password: the proof the BFF keeps in a cookie for the holder. */
export const LinkUnlockProofSchema = Type.Object(
  { proof: Type.String(), expiresAt: Type.String({ format: 'date-time' }) },
  { $id: 'LinkUnlockProof', title: 'LinkUnlockProof' },
);

/** Where the original of a link's photo is, when the link allows downloads (metadata to the BFF). */
export const LinkOriginalSchema = Type.Object({ originalKey: Type.String() }, { $id: 'LinkOriginal', title: 'LinkOriginal' });

/** One account an album is shared with, as its owner sees it. */
export const AlbumShareSchema = Type.Object(
  {
    userId: Type.String({ description: "The grantee's account id (DELETE /api/albums/{id}/shares/{userId})." }),
    email: Type.Union([Type.String(), Type.Null()], { description: "The grantee's email; null if the account is gone." }),
    role: Type.Union([Type.Literal('viewer'), Type.Literal('contributor')]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'AlbumShare', title: 'AlbumShare' },
);

export const AlbumShareListSchema = Type.Object({ items: Type.Array(AlbumShareSchema) }, { $id: 'AlbumShareList', title: 'AlbumShareList' });

export type CreateShareLink = Static<typeof CreateShareLinkSchema>;
export type ShareLink = Static<typeof ShareLinkSchema>;
export type ShareLinkList = Static<typeof ShareLinkListSchema>;
export type StoredCreatedShareLink = Static<typeof StoredCreatedShareLinkSchema>;
export type CreatedShareLink = Static<typeof CreatedShareLinkSchema>;
export type StoredSharedLink = Static<typeof StoredSharedLinkSchema>;
export type SharedLink = Static<typeof SharedLinkSchema>;
export type LinkUnlockProof = Static<typeof LinkUnlockProofSchema>;
export type LinkOriginal = Static<typeof LinkOriginalSchema>;
export type AlbumShare = Static<typeof AlbumShareSchema>;
export type AlbumShareList = Static<typeof AlbumShareListSchema>;
