export { createContainerWriter } from './writer.ts';
export type { ContainerWriter, CreateContainerWriterOptions } from './writer.ts';
export {
  openContainer,
  CONTAINER_ERROR_CODES,
  DEFAULT_CONTAINER_LIMITS,
  RATIO_CHECK_THRESHOLD_BYTES,
} from './reader.ts';
export type {
  ContainerEntryInfo,
  ContainerError,
  ContainerErrorCode,
  ContainerLimits,
  ContainerReader,
  ContainerResult,
  OpenContainerOptions,
} from './reader.ts';
export { isSafeContainerPath, DEFAULT_MAX_PATH_BYTES } from './paths.ts';
