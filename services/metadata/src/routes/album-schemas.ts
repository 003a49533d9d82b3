import Type from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Shown as given; not only white space.' });

export const AlbumParamsSchema = Type.Object({ id: Uuid });
export const GrantParamsSchema = Type.Object({ id: Uuid, userId: Type.String({ minLength: 1, maxLength: 255 }) });

export const AlbumSchema = Type.Object({
  id: Uuid,
  ownerId: Type.String(),
  name: Type.String(),
  coverPhotoId: Type.Union([Uuid, Type.Null()]),
  photoCount: Type.Integer({ minimum: 0 }),
  /** What the caller is to it: its owner, or a grantee in a role. */
  access: Type.Union([Type.Literal('owner'), Type.Literal('viewer'), Type.Literal('contributor')]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const AlbumListSchema = Type.Object({ items: Type.Array(AlbumSchema) });

export const CreateAlbumSchema = Type.Object({ name: Name }, { additionalProperties: false });

export const UpdateAlbumSchema = Type.Object(
  { name: Type.Optional(Name), coverPhotoId: Type.Optional(Type.Union([Uuid, Type.Null()])) },
  { additionalProperties: false, minProperties: 1 },
);

export const PhotoIdsSchema = Type.Object({ photoIds: Type.Array(Uuid, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false });

export const RoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('contributor')]);

export const ShareSchema = Type.Object({ role: RoleSchema }, { additionalProperties: false });

export const GrantListSchema = Type.Object({
  items: Type.Array(Type.Object({ granteeId: Type.String(), role: RoleSchema, createdAt: Type.String({ format: 'date-time' }) })),
});

export const AlbumPageQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page.' })),
  },
  { additionalProperties: false },
);
