import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GostCurve, GostParamSet } from './curves.ts';
import { GOST_PARAM_SETS, gostParamSetByOid, type GostParamSetName } from './curves.ts';
import { isOnCurve, multiplyPoint } from './ec.ts';
import { bigIntToBytesBE, bigIntToBytesLE, gostSign, gostVerify, type GostPrivateKey, type GostPublicKey } from './gost3410.ts';
import {
  generateGostKeyPair,
  gostPrivateKeyToPkcs8Der,
  gostPublicKeyFromPoint,
  gostPublicKeyFromPrivate,
  gostPublicKeyToSpkiDer,
  parseGostPrivateKeyPkcs8,
  parseGostPublicKeySpki,
} from './keys.ts';
import { GOST_OIDS } from './oids.ts';
import { streebog } from './streebog.ts';

const h = (hex: string): bigint => BigInt(`0x${hex}`);

/** RFC 7091 §A.1: the 256-bit TEST curve (not for production; test-only parameter set). */
const TEST_256: GostCurve = {
  name: 'rfc7091-test-256',
  bits: 256,
  p: h('8000000000000000000000000000000000000000000000000000000000000431'),
  a: 7n,
  b: h('5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E'),
  q: h('8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3'),
  cofactor: 1n,
  gx: 2n,
  gy: h('08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8'),
};

/** RFC 7091 §A.2: the 512-bit TEST curve. */
const TEST_512: GostCurve = {
  name: 'rfc7091-test-512',
  bits: 512,
  p: h('4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373'),
  a: 7n,
  b: h('1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC'),
  q: h('4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF'),
  cofactor: 1n,
  gx: h('24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A'),
  gy: h('2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E'),
};

const testSet = (curve: GostCurve): GostParamSet => ({ name: curve.name, oid: '1.2.643.2.2.35.0', curve });

const KATS = [
  {
    label: 'RFC 7091 §A.1 (256-bit)',
    curve: TEST_256,
    d: h('7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28'),
    qx: h('7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B'),
    qy: h('26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA'),
    e: h('2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5'),
    k: h('77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3'),
    r: h('41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493'),
    s: h('01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40'),
  },
  {
    label: 'RFC 7091 §A.2 (512-bit)',
    curve: TEST_512,
    d: h('0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4'),
    qx: h('115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1'),
    qy: h('37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC'),
    e: h('3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C'),
    k: h('0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1'),
    r: h('2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36'),
    s: h('1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A'),
  },
] as const;

describe('GOST R 34.10-2012 known answers (RFC 7091 Appendix A)', () => {
  for (const v of KATS) {
    const n = v.curve.bits / 8;
    const paramSet = testSet(v.curve);
    const privateKey: GostPrivateKey = { paramSet, digestOid: GOST_OIDS.digest256, d: v.d };
    // e is the digest read as a little-endian number, so the digest bytes are e little-endian.
    const digest = bigIntToBytesLE(v.e, n);
    const expected = Buffer.concat([bigIntToBytesBE(v.s, n), bigIntToBytesBE(v.r, n)]);

    it(`${v.label}: Q = d·G`, () => {
      const Q = gostPublicKeyFromPrivate(privateKey).Q;
      expect([Q.x, Q.y]).toEqual([v.qx, v.qy]);
    });
    it(`${v.label}: sign with the example's k gives (r, s), encoded s || r`, () => {
      const signed = gostSign({ digest, privateKey, random: () => bigIntToBytesBE(v.k, n) });
      expect(signed).toEqual({ ok: true, value: expected });
    });
    it(`${v.label}: verify accepts it and rejects a flipped byte in every position class`, () => {
      const publicKey: GostPublicKey = { paramSet, digestOid: GOST_OIDS.digest256, Q: { x: v.qx, y: v.qy } };
      expect(gostVerify({ digest, signature: expected, publicKey })).toBe(true);
      for (const index of [0, n - 1, n, 2 * n - 1]) {
        const bad = Buffer.from(expected);
        bad[index] = (bad[index] ?? 0) ^ 0x01;
        expect(gostVerify({ digest, signature: bad, publicKey })).toBe(false);
      }
      const badDigest = Buffer.from(digest);
      badDigest[0] = (badDigest[0] ?? 0) ^ 0x80;
      expect(gostVerify({ digest: badDigest, signature: expected, publicKey })).toBe(false);
    });
  }
});

describe('parameter sets', () => {
  for (const set of Object.values(GOST_PARAM_SETS)) {
    it(`${set.name} (${set.oid}): G on the curve, q·G = O, q prime-sized, OID lookup`, () => {
      const { curve } = set;
      expect(isOnCurve(curve, { x: curve.gx, y: curve.gy })).toBe(true);
      expect(multiplyPoint(curve, { x: curve.gx, y: curve.gy }, curve.q)).toBeNull();
      expect(multiplyPoint(curve, { x: curve.gx, y: curve.gy }, curve.q - 1n)).not.toBeNull();
      expect(curve.q.toString(2).length).toBeGreaterThan(curve.bits - 3);
      // Hasse: |cofactor·q − (p + 1)| ≤ 2√p.
      const diff = curve.cofactor * curve.q - (curve.p + 1n);
      expect(diff * diff <= 4n * curve.p).toBe(true);
      expect(gostParamSetByOid(set.oid)).toBe(set);
    });
  }

  it('aliases share curves: TC26 B/C/D = CryptoPro A/B/C, XchA = A, XchB = C', () => {
    expect(GOST_PARAM_SETS['tc26-256-B'].curve).toBe(GOST_PARAM_SETS['cryptopro-A'].curve);
    expect(GOST_PARAM_SETS['tc26-256-C'].curve).toBe(GOST_PARAM_SETS['cryptopro-B'].curve);
    expect(GOST_PARAM_SETS['tc26-256-D'].curve).toBe(GOST_PARAM_SETS['cryptopro-C'].curve);
    expect(GOST_PARAM_SETS['cryptopro-XchA'].curve).toBe(GOST_PARAM_SETS['cryptopro-A'].curve);
    expect(GOST_PARAM_SETS['cryptopro-XchB'].curve).toBe(GOST_PARAM_SETS['cryptopro-C'].curve);
  });

  it('every OID in GOST_OIDS is the object OpenSSL names for it', () => {
    const expectedNames: Record<keyof typeof GOST_OIDS, string> = {
      publicKey256: 'GOST R 34.10-2012 with 256 bit modulus',
      publicKey512: 'GOST R 34.10-2012 with 512 bit modulus',
      digest256: 'GOST R 34.11-2012 with 256 bit hash',
      digest512: 'GOST R 34.11-2012 with 512 bit hash',
      signature256: 'GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)',
      signature512: 'GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)',
      hmac256: 'HMAC GOST 34.11-2012 256 bit',
      hmac512: 'HMAC GOST 34.11-2012 512 bit',
      paramSet256A: 'GOST R 34.10-2012 (256 bit) ParamSet A',
      paramSet256B: 'GOST R 34.10-2012 (256 bit) ParamSet B',
      paramSet256C: 'GOST R 34.10-2012 (256 bit) ParamSet C',
      paramSet256D: 'GOST R 34.10-2012 (256 bit) ParamSet D',
      paramSet512A: 'GOST R 34.10-2012 (512 bit) ParamSet A',
      paramSet512B: 'GOST R 34.10-2012 (512 bit) ParamSet B',
      paramSet512C: 'GOST R 34.10-2012 (512 bit) ParamSet C',
      cryptoProA: 'id-GostR3410-2001-CryptoPro-A-ParamSet',
      cryptoProB: 'id-GostR3410-2001-CryptoPro-B-ParamSet',
      cryptoProC: 'id-GostR3410-2001-CryptoPro-C-ParamSet',
      cryptoProXchA: 'id-GostR3410-2001-CryptoPro-XchA-ParamSet',
      cryptoProXchB: 'id-GostR3410-2001-CryptoPro-XchB-ParamSet',
    };
    for (const [key, oid] of Object.entries(GOST_OIDS)) {
      const out = execFileSync('openssl', ['asn1parse', '-genstr', `OID:${oid}`], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      expect(out.trim().split(':').pop(), key).toBe(expectedNames[key as keyof typeof GOST_OIDS]);
    }
  });
});

/** `openssl genpkey -pkeyopt paramset:` value for each named set the engine supports. */
const ENGINE_SETS: ReadonlyArray<readonly [GostParamSetName, 'gost2012_256' | 'gost2012_512', string]> = [
  ['tc26-256-A', 'gost2012_256', 'TCA'],
  ['tc26-256-B', 'gost2012_256', 'TCB'],
  ['tc26-256-C', 'gost2012_256', 'TCC'],
  ['tc26-256-D', 'gost2012_256', 'TCD'],
  ['cryptopro-A', 'gost2012_256', 'A'],
  ['cryptopro-B', 'gost2012_256', 'B'],
  ['cryptopro-C', 'gost2012_256', 'C'],
  ['cryptopro-XchA', 'gost2012_256', 'XA'],
  ['cryptopro-XchB', 'gost2012_256', 'XB'],
  ['tc26-512-A', 'gost2012_512', 'A'],
  ['tc26-512-B', 'gost2012_512', 'B'],
  ['tc26-512-C', 'gost2012_512', 'C'],
];

describe('interoperability with OpenSSL GOST engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edx-gost-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const openssl = (args: readonly string[]): Buffer => execFileSync('openssl', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const opensslOk = (args: readonly string[]): boolean => {
    try {
      openssl(args);
      return true;
    } catch {
      return false;
    }
  };

  for (const [name, algorithm, engineName] of ENGINE_SETS) {
    it(`${name}: engine key parsed; signatures verify both ways; our key files are the engine's`, () => {
      const base = join(dir, name);
      openssl(['genpkey', '-engine', 'gost', '-algorithm', algorithm, '-pkeyopt', `paramset:${engineName}`, '-outform', 'DER', '-out', `${base}.key`]);
      openssl(['pkey', '-engine', 'gost', '-inform', 'DER', '-in', `${base}.key`, '-pubout', '-outform', 'DER', '-out', `${base}.pub`]);
      const keyDer = readFileSync(`${base}.key`);
      const pubDer = readFileSync(`${base}.pub`);
      const priv = parseGostPrivateKeyPkcs8(keyDer);
      const pub = parseGostPublicKeySpki(pubDer);
      if (!priv.ok || !pub.ok) throw new Error('engine key did not parse');
      expect(priv.value.paramSet.name).toBe(name);
      expect(gostPublicKeyFromPrivate(priv.value).Q).toEqual(pub.value.Q);
      expect(gostPrivateKeyToPkcs8Der(priv.value)).toEqual(keyDer);
      expect(gostPublicKeyToSpkiDer(pub.value)).toEqual(pubDer);

      const bits = priv.value.paramSet.curve.bits;
      const digest = randomBytes(bits / 8);
      writeFileSync(`${base}.dgst`, digest);
      // Engine signs the raw digest, we verify.
      const engineSig = openssl(['pkeyutl', '-engine', 'gost', '-sign', '-keyform', 'DER', '-inkey', `${base}.key`, '-in', `${base}.dgst`]);
      expect(gostVerify({ digest, signature: engineSig, publicKey: pub.value })).toBe(true);
      // We sign, the engine verifies; and it rejects our signature for another digest.
      const ours = gostSign({ digest, privateKey: priv.value });
      if (!ours.ok) throw new Error(ours.error.message);
      writeFileSync(`${base}.sig`, ours.value);
      const verifyArgs = ['pkeyutl', '-engine', 'gost', '-verify', '-pubin', '-keyform', 'DER', '-inkey', `${base}.pub`, '-sigfile', `${base}.sig`];
      expect(opensslOk([...verifyArgs, '-in', `${base}.dgst`])).toBe(true);
      writeFileSync(`${base}.other`, randomBytes(bits / 8));
      expect(opensslOk([...verifyArgs, '-in', `${base}.other`])).toBe(false);
    });
  }

  it('a key we generate is accepted by the engine, which signs a file with it (Streebog + signature end to end)', () => {
    for (const name of ['tc26-256-A', 'tc26-512-B'] as const) {
      const pair = generateGostKeyPair(name);
      if (!pair.ok) throw new Error(pair.error.message);
      const base = join(dir, `ours-${name}`);
      writeFileSync(`${base}.key`, gostPrivateKeyToPkcs8Der(pair.value.privateKey));
      const data = randomBytes(5000);
      writeFileSync(`${base}.data`, data);
      const bits = pair.value.privateKey.paramSet.curve.bits;
      const md = `-md_gost12_${bits}`;
      const sig = openssl(['dgst', '-engine', 'gost', md, '-sign', `${base}.key`, '-keyform', 'DER', `${base}.data`]);
      expect(gostVerify({ digest: streebog(bits, data), signature: sig, publicKey: pair.value.publicKey })).toBe(true);
      const pub = openssl(['pkey', '-engine', 'gost', '-inform', 'DER', '-in', `${base}.key`, '-pubout', '-outform', 'DER']);
      expect(pub).toEqual(gostPublicKeyToSpkiDer(pair.value.publicKey));
    }
  });
});

describe('rejections', () => {
  const set = GOST_PARAM_SETS['tc26-256-A'];
  const pair = generateGostKeyPair('tc26-256-A');
  if (!pair.ok) throw new Error('keygen');
  const { privateKey, publicKey } = pair.value;
  const digest = randomBytes(32);
  const signed = gostSign({ digest, privateKey });
  if (!signed.ok) throw new Error('sign');
  const signature = signed.value;
  const q = set.curve.q;
  const withRS = (r: bigint, s: bigint): Buffer => Buffer.concat([bigIntToBytesBE(s, 32), bigIntToBytesBE(r, 32)]);
  const r = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  const s = BigInt(`0x${signature.subarray(0, 32).toString('hex')}`);

  it('the untouched signature verifies (control)', () => {
    expect(gostVerify({ digest, signature, publicKey })).toBe(true);
  });
  it('r or s = 0 or ≥ q', () => {
    for (const bad of [withRS(0n, s), withRS(r, 0n), withRS(r + q, s), withRS(r, s + q), withRS(q, s), withRS(r, q)]) {
      expect(gostVerify({ digest, signature: bad, publicKey })).toBe(false);
    }
  });
  it('wrong lengths: 512-bit-sized signature or digest on a 256-bit key, truncated signature', () => {
    expect(gostVerify({ digest, signature: Buffer.concat([Buffer.alloc(32), signature]), publicKey })).toBe(false);
    expect(gostVerify({ digest: Buffer.concat([digest, digest]), signature, publicKey })).toBe(false);
    expect(gostVerify({ digest, signature: signature.subarray(1), publicKey })).toBe(false);
  });
  it('a Streebog-256 digest for a 512-bit key is refused when signing', () => {
    const big = generateGostKeyPair('tc26-512-A');
    if (!big.ok) throw new Error('keygen');
    const result = gostSign({ digest: streebog(256, Buffer.from('x')), privateKey: big.value.privateKey });
    expect(result.ok === false && result.error.code).toBe('GOST_DIGEST_LENGTH');
  });
  it('public point not on the curve', () => {
    const off = { paramSet: set, digestOid: publicKey.digestOid, Q: { x: publicKey.Q.x, y: (publicKey.Q.y + 1n) % set.curve.p } };
    expect(gostVerify({ digest, signature, publicKey: off })).toBe(false);
    const built = gostPublicKeyFromPoint(set, off.Q);
    expect(built.ok === false && built.error.code).toBe('GOST_BAD_KEY');
    const spki = Buffer.from(gostPublicKeyToSpkiDer(publicKey));
    spki[spki.length - 1] = (spki[spki.length - 1] ?? 0) ^ 1;
    const parsed = parseGostPublicKeySpki(spki);
    expect(parsed.ok === false && parsed.error.code).toBe('GOST_BAD_KEY');
  });
  it('a point of small order on a cofactor-4 curve is not a public key', () => {
    // (x, 0) points have order 2; find one on tc26-256-A's Weierstrass form if it exists, else
    // use a random point outside the subgroup: cofactor · (random point) check via q·P ≠ O.
    const curve = set.curve;
    let found: { x: bigint; y: bigint } | null = null;
    for (let x = 1n; x < 200n && found === null; x += 1n) {
      const rhs = (((x * x * x + curve.a * x + curve.b) % curve.p) + curve.p) % curve.p;
      // p ≡ 3 (mod 4) for this curve, so a square root is rhs^((p+1)/4).
      let y = 1n;
      for (let e = (curve.p + 1n) / 4n, b = rhs; e > 0n; e >>= 1n, b = (b * b) % curve.p) if ((e & 1n) === 1n) y = (y * b) % curve.p;
      if ((y * y) % curve.p === rhs && multiplyPoint(curve, { x, y }, curve.q) !== null) found = { x, y };
    }
    expect(found).not.toBeNull();
    if (found === null) return;
    const result = gostPublicKeyFromPoint(set, found);
    expect(result.ok === false && result.error.code).toBe('GOST_BAD_KEY');
  });
  it('wrong curve parameters: the same key and signature under another parameter set fail', () => {
    const other: GostPublicKey = { ...publicKey, paramSet: GOST_PARAM_SETS['tc26-256-B'] };
    expect(gostVerify({ digest, signature, publicKey: other })).toBe(false);
  });
  it('older PKCS#8 layouts: OCTET STRING wrapping an INTEGER (big-endian) or an OCTET STRING (little-endian)', () => {
    const der = gostPrivateKeyToPkcs8Der(privateKey);
    const raw = der.subarray(der.length - 32);
    const head = der.subarray(0, der.length - 34);
    const rewrap = (inner: Buffer): Buffer => {
      const octet = Buffer.concat([Buffer.from([0x04, inner.length]), inner]);
      const body = Buffer.concat([head.subarray(2), octet]);
      return Buffer.concat([Buffer.from([0x30, body.length]), body]);
    };
    const be = Buffer.from(raw).reverse();
    const asInteger = rewrap(Buffer.concat([Buffer.from([0x02, 33, 0]), be]));
    const asOctets = rewrap(Buffer.concat([Buffer.from([0x04, 32]), raw]));
    for (const variant of [asInteger, asOctets]) {
      const parsed = parseGostPrivateKeyPkcs8(variant);
      expect(parsed.ok && parsed.value.d).toBe(privateKey.d);
    }
  });
  it('PKCS#8 and SPKI with an unknown parameter set, a mismatched digest OID or garbage', () => {
    const der = gostPrivateKeyToPkcs8Der(privateKey);
    const unknown = Buffer.from(der.toString('hex').replace('2a850307010201010' + '1', '2a8503070102010109'), 'hex');
    const parsedUnknown = parseGostPrivateKeyPkcs8(unknown);
    expect(parsedUnknown.ok === false && parsedUnknown.error.code).toBe('GOST_UNKNOWN_PARAM_SET');
    const cp = generateGostKeyPair('cryptopro-A');
    if (!cp.ok) throw new Error('keygen');
    // cryptopro-A keys carry the digest OID: swap Streebog-256 (…2.2) for Streebog-512 (…2.3).
    const wrongDigest = Buffer.from(gostPrivateKeyToPkcs8Der(cp.value.privateKey).toString('hex').replace('2a85030701010202', '2a85030701010203'), 'hex');
    const parsedWrong = parseGostPrivateKeyPkcs8(wrongDigest);
    expect(parsedWrong.ok === false && parsedWrong.error.code).toBe('GOST_UNSUPPORTED_ALGORITHM');
    for (const junk of [Buffer.alloc(0), Buffer.from([0x30, 0x80, 0x00, 0x00]), der.subarray(0, der.length - 1), Buffer.concat([der, Buffer.from([0])])]) {
      expect(parseGostPrivateKeyPkcs8(junk).ok).toBe(false);
      expect(parseGostPublicKeySpki(junk).ok).toBe(false);
    }
  });
});
