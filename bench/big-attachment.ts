/** Child process of the bench: packs and verifies one large attachment, prints its peak RSS as JSON. */
import { randomBytes, randomUUID } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_DEV_PARTICIPANTS_FILE, DEFAULT_VALIDATION_POLICY, loadDevParticipants, loadPrivateKeyPem, pemToDerList } from '../src/crypto/index.ts';
import { packLetter, verifyContainer } from '../src/letters/index.ts';

const [dir = '', pkiDir = '', fromId = '', toId = '', sizeArg = '1024'] = process.argv.slice(2);
const sizeMiB = Number(sizeArg);
const file = join(dir, 'big.bin');
const chunk = randomBytes(4 * 1024 * 1024);
const fh = await open(file, 'w');
for (let i = 0; i < sizeMiB / 4; i += 1) await fh.write(chunk);
await fh.close();

const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
if (!participants.ok) throw new Error(participants.error.message);
const party = (id: string) => {
  const p = participants.value.find((x) => x.id === id);
  if (p === undefined) throw new Error(id);
  return { id: p.id, name: p.name, inn: p.inn, ogrn: p.ogrn };
};
const key = loadPrivateKeyPem(await readFile(join(pkiDir, `${fromId}.key.pem`)));
const [certificate] = pemToDerList(await readFile(join(pkiDir, `${fromId}.cert.pem`)));
const [root] = pemToDerList(await readFile(join(pkiDir, 'root.pem')));
if (!key.ok || certificate === undefined || root === undefined) throw new Error('pki unreadable');

const out = join(dir, 'big.zip');
let t = performance.now();
const packed = await packLetter({
  outputPath: out,
  messageId: randomUUID(),
  now: new Date(),
  sender: party(fromId),
  recipient: party(toId),
  document: { kind: 'letter', regNumber: '1', regDate: '2026-11-25', subject: 'big', signatory: { name: 'A', position: 'B' } },
  files: [{ sourcePath: file, name: 'scan.pdf' }],
  signer: { privateKey: key.value, certificate, chain: [] },
});
if (!packed.ok) throw new Error(packed.error.message);
const packMs = performance.now() - t;
t = performance.now();
const verified = await verifyContainer({ containerPath: out, trustAnchors: [{ certificate: root, qualified: true }], policy: { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip' }, now: new Date() });
if (!verified.ok || !verified.value.passed) throw new Error('big container did not verify');
const verifyMs = performance.now() - t;
await rm(file);
await rm(out);
const mb = (sizeMiB * 1024 * 1024) / 1e6;
process.stdout.write(`${JSON.stringify({ sizeMiB, maxRssMiB: process.resourceUsage().maxRSS / 1024, packMBs: (mb * 1000) / packMs, verifyMBs: (mb * 1000) / verifyMs })}\n`);
