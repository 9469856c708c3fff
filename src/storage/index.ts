export { createBlobStore, type BlobStore, type StoredBlob } from './blob-store.ts';
export { collectBlobGarbage, type BlobGcInput, type BlobGcResult } from './blob-gc.ts';
