import Type from 'typebox';

export { PhotoPageSchema, PhotoSchema, UploadAnswerSchema } from '@photos/api-contracts';

export const PhotoIdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'The photo id.' }) });

/** The query of every page of photos (the gallery, an album, a share link): keyset paging, newest first. */
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: '`nextCursor` of the previous page.' })),
});

export const Credentials = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    password: Type.String({ minLength: 8, maxLength: 256 }),
  },
  { $id: 'Credentials', title: 'Credentials', examples: [{ email: 'ada@example.com', password: 'correct horse battery staple' }] },
);

/** Who a session or token names. */
export const UserSchema = Type.Object(
  { id: Type.String({ description: "The account id (the token's sub)." }), email: Type.Union([Type.String(), Type.Null()]) },
  { $id: 'User', title: 'User' },
);

export const SessionAnswerSchema = Type.Object({ user: UserSchema }, { $id: 'SessionAnswer', title: 'SessionAnswer' });

/**
 * The names of the BFF's security schemes in its OpenAPI document (see `apiDocs`), and the requirement of
 * each kind of route: public ones none; reads by bearer token or the access cookie; unsafe methods by
 * bearer token, or the access cookie plus the CSRF header.
 */
type Requirement = Record<string, string[]>[];
export const SECURITY: Record<'public' | 'read' | 'write' | 'refreshCookie', Requirement> = {
  public: [],
  read: [{ bearer: [] }, { accessCookie: [] }],
  write: [{ bearer: [] }, { accessCookie: [], csrfHeader: [] }],
  refreshCookie: [{ refreshCookie: [], csrfHeader: [] }],
};

/** Why any route behind the auth hook may answer 401 and, for cookie-authenticated unsafe methods, 403. */
export const NOT_AUTHENTICATED = { 401: 'No valid access token (bearer header or access cookie), or it has expired: refresh, or log in.' };
export const CSRF_REFUSED = { 403: "Authenticated by the access cookie, and X-CSRF-Token is missing or is not the session's." };
export const UPSTREAM_FAILED = { 502: 'The metadata service failed or is unreachable.' };
export const BAD_PHOTO_ID = { 400: 'The id is not a UUID.' };
export const NO_SUCH_PHOTO = { 404: "No photo with this id among the caller's (another user's photo answers the same)." };
export const JSON_BODY_REFUSED = {
  400: 'The body is not valid JSON (or is text/plain) or does not match the schema (`errors` names the fields).',
  413: 'The JSON body is over 16 KiB (refused before parsing).',
  415: 'The body is of a type the API does not read (send application/json).',
};
