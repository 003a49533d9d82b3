export {
  ExifSchema,
  PhotoPageSchema,
  PhotoSchema,
  PhotoStatusSchema,
  StoredPhotoPageSchema,
  StoredPhotoSchema,
  StoredVariantSchema,
  VariantSchema,
} from './photo-view.js';
export type { Exif, Photo, PhotoPage, PhotoStatus, StoredPhoto, StoredPhotoPage, StoredVariant, Variant } from './photo-view.js';
export { UploadAnswerSchema, UploadedPhotoSchema } from './upload-answer.js';
export type { UploadAnswer, UploadedPhoto } from './upload-answer.js';
export { PHOTO_CHANGE_EVENTS, PhotoDeletedChangeSchema, PhotoFailedChangeSchema, PhotoProcessedChangeSchema } from './photo-changes.js';
export type { PhotoChange, PhotoDeletedChange, PhotoFailedChange, PhotoProcessedChange } from './photo-changes.js';
export {
  AlbumAccessSchema,
  AlbumGrantListSchema,
  AlbumGrantSchema,
  AlbumListSchema,
  AlbumPhotoIdsSchema,
  AlbumPhotosAddedSchema,
  AlbumRoleSchema,
  AlbumSchema,
  CreateAlbumSchema,
  ShareAlbumSchema,
  UpdateAlbumSchema,
} from './albums.js';
export type { Album, AlbumGrant, AlbumGrantList, AlbumList, AlbumPhotosAdded } from './albums.js';
export {
  AlbumShareListSchema,
  AlbumShareSchema,
  CreatedShareLinkSchema,
  CreateShareLinkSchema,
  LinkedAlbumSchema,
  LinkOriginalSchema,
  LinkUnlockProofSchema,
  SharedLinkSchema,
  ShareLinkListSchema,
  ShareLinkSchema,
  StoredCreatedShareLinkSchema,
  StoredSharedLinkSchema,
  UnlockShareLinkSchema,
} from './share-links.js';
export type {
  AlbumShare,
  AlbumShareList,
  CreatedShareLink,
  CreateShareLink,
  LinkOriginal,
  LinkUnlockProof,
  SharedLink,
  ShareLink,
  ShareLinkList,
  StoredCreatedShareLink,
  StoredSharedLink,
} from './share-links.js';
