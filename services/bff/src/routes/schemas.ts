import Type from 'typebox';

export { PhotoSchema } from '../domain/photo-view.js';

export const PhotoIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const Credentials = Type.Object({
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Type.String({ minLength: 8, maxLength: 256 }),
});
