/** GOST R 34.11-2012 (Streebog) and GOST R 34.10-2012 signatures, keys and parameter sets. */
export { createStreebog, hmacStreebog, streebog, type Streebog, type StreebogBits } from './streebog.ts';
export { GOST_OIDS } from './oids.ts';
export { GOST_PARAM_SETS, gostParamSetByOid, type GostCurve, type GostParamSet, type GostParamSetName } from './curves.ts';
export {
  gostSign,
  gostVerify,
  type GostErrorCode,
  type GostPrivateKey,
  type GostPublicKey,
  type GostResult,
} from './gost3410.ts';
export {
  generateGostKeyPair,
  gostPrivateKeyToPkcs8Der,
  gostPublicKeyFromPoint,
  gostPublicKeyFromPrivate,
  gostPublicKeyToSpkiDer,
  parseGostPrivateKeyPkcs8,
  parseGostPublicKeySpki,
} from './keys.ts';
