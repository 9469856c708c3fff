export { createBlobStore, type BlobStore, type StoredBlob } from './blob-store.ts';
