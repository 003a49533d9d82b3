import Type from 'typebox';

const Variant = Type.Object({ url: Type.String(), width: Type.Integer(), height: Type.Integer() });

/** BRIEF's Photo. */
export const PhotoSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')]),
    filename: Type.Union([Type.String(), Type.Null()]),
    contentType: Type.Union([Type.String(), Type.Null()]),
    bytes: Type.Union([Type.Integer(), Type.Null()]),
    width: Type.Union([Type.Integer(), Type.Null()]),
    height: Type.Union([Type.Integer(), Type.Null()]),
    takenAt: Type.Union([Type.String(), Type.Null()]),
    uploadedAt: Type.Union([Type.String(), Type.Null()]),
    placeholder: Type.Union([Type.String({ description: 'Base64 ThumbHash.' }), Type.Null()]),
    dominantColor: Type.Union([Type.String(), Type.Null()]),
    variants: Type.Object({ thumb: Type.Optional(Variant), preview: Type.Optional(Variant) }),
    exif: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    originalUrl: Type.Optional(Type.String({ description: 'Signed, short-lived URL of the original (detail only).' })),
    failure: Type.Optional(Type.Object({ reason: Type.String(), code: Type.Optional(Type.String()) })),
  },
  { $id: 'Photo' },
);

export const PhotoIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const Credentials = Type.Object({
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Type.String({ minLength: 8, maxLength: 256 }),
});
