import Type from 'typebox';

/** The shapes metadata answers and takes, shared with the BFF (@photos/api-contracts). */
export {
  AlbumGrantListSchema as GrantListSchema,
  AlbumListSchema,
  AlbumPhotoIdsSchema as PhotoIdsSchema,
  AlbumPhotosAddedSchema,
  AlbumRoleSchema as RoleSchema,
  AlbumSchema,
  CreateAlbumSchema,
  UpdateAlbumSchema,
} from '@photos/api-contracts';
import { AlbumRoleSchema } from '@photos/api-contracts';

const Uuid = Type.String({ format: 'uuid' });

export const AlbumParamsSchema = Type.Object({ id: Uuid });
export const GrantParamsSchema = Type.Object({ id: Uuid, userId: Type.String({ minLength: 1, maxLength: 255 }) });

/** Metadata takes the grantee's account id (the BFF resolves an email to it). */
export const ShareSchema = Type.Object({ role: AlbumRoleSchema }, { additionalProperties: false });

export const AlbumPageQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page.' })),
  },
  { additionalProperties: false },
);
