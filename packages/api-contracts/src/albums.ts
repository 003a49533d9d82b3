import Type, { type Static } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });

/** What the caller is to an album: its owner, or a grantee (viewer: sees it; contributor: may also add their own photos). */
export const AlbumAccessSchema = Type.Union([Type.Literal('owner'), Type.Literal('viewer'), Type.Literal('contributor')]);

/** A grantee's role. */
export const AlbumRoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('contributor')], {
  description: 'viewer: sees the album; contributor: may also add their own photos.',
});

/** An album, as metadata answers it and the BFF passes it on. */
export const AlbumSchema = Type.Object(
  {
    id: Uuid,
    ownerId: Type.String({ description: "The owner's account id." }),
    name: Type.String(),
    coverPhotoId: Type.Union([Uuid, Type.Null()], { description: 'A photo of the album shown first; null when unset (or it left the album).' }),
    photoCount: Type.Integer({ minimum: 0 }),
    access: AlbumAccessSchema,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'Album',
    title: 'Album',
    examples: [
      {
        id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
        ownerId: 'b3c1e2d4-0000-4000-8000-000000000001',
        name: 'Summer 2026',
        coverPhotoId: null,
        photoCount: 12,
        access: 'owner',
        createdAt: '2026-08-15T09:30:00.000Z',
        updatedAt: '2026-08-15T09:30:00.000Z',
      },
    ],
  },
);

export const AlbumListSchema = Type.Object({ items: Type.Array(AlbumSchema) }, { $id: 'AlbumList', title: 'AlbumList' });

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Shown as given; not only white space.' });

export const CreateAlbumSchema = Type.Object({ name: Name }, { $id: 'CreateAlbum', title: 'CreateAlbum', additionalProperties: false });

export const UpdateAlbumSchema = Type.Object(
  { name: Type.Optional(Name), coverPhotoId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'A photo of the album, or null to unset.' })) },
  { $id: 'UpdateAlbum', title: 'UpdateAlbum', additionalProperties: false, minProperties: 1 },
);

/** One to 100 photo ids: a bulk add or remove. */
export const AlbumPhotoIdsSchema = Type.Object(
  { photoIds: Type.Array(Uuid, { minItems: 1, maxItems: 100 }) },
  { $id: 'AlbumPhotoIds', title: 'AlbumPhotoIds', additionalProperties: false },
);

export const AlbumPhotosAddedSchema = Type.Object(
  { added: Type.Array(Uuid, { description: 'The photos put in (those already there are left out).' }) },
  { $id: 'AlbumPhotosAdded', title: 'AlbumPhotosAdded' },
);

/** A grant of an album to an account. */
export const AlbumGrantSchema = Type.Object(
  { granteeId: Type.String({ description: "The grantee's account id." }), role: AlbumRoleSchema, createdAt: Type.String({ format: 'date-time' }) },
  { $id: 'AlbumGrant', title: 'AlbumGrant' },
);

export const AlbumGrantListSchema = Type.Object({ items: Type.Array(AlbumGrantSchema) }, { $id: 'AlbumGrantList', title: 'AlbumGrantList' });

/** The public API's share request: the grantee by email (the BFF resolves it to an account). */
export const ShareAlbumSchema = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), role: AlbumRoleSchema },
  { $id: 'ShareAlbum', title: 'ShareAlbum', additionalProperties: false, examples: [{ email: 'grace@example.com', role: 'viewer' }] },
);

export type Album = Static<typeof AlbumSchema>;
export type AlbumList = Static<typeof AlbumListSchema>;
export type AlbumGrant = Static<typeof AlbumGrantSchema>;
export type AlbumGrantList = Static<typeof AlbumGrantListSchema>;
export type AlbumPhotosAdded = Static<typeof AlbumPhotosAddedSchema>;
