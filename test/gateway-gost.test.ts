/**
 * The gateway running entirely on GOST (issue 4): a development PKI of GOST R 34.10-2012 keys, hosted
 * signing, evidence sealed with a GOST key, a GOST-signed business receipt — every signature judged
 * by OpenSSL's GOST engine.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKeyPem, pemToDerList } from '../src/crypto/index.ts';
import { createReceipt } from '../src/letters/index.ts';
import { extractAll } from './helpers/containers.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';
import { tool } from './helpers/tools.ts';

let gw: TestGateway;
let scratch: string;

async function engineVerifiesAll(container: string): Promise<number> {
  const out = join(scratch, randomUUID());
  const paths = await extractAll(container, out);
  let n = 0;
  for (const [name, path] of paths) {
    if (!name.endsWith('.p7s')) continue;
    const content = paths.get(name.replace(/\.p7s$/u, '')) ?? '';
    const r = tool('openssl', ['cms', '-engine', 'gost', '-verify', '-cades', '-binary', '-inform', 'DER', '-in', path, '-content', content, '-CAfile', join(gw.paths.pki, 'root.pem'), '-out', '/dev/null']);
    expect(r.stderr, name).toContain('Verification successful');
    n += 1;
  }
  return n;
}

beforeAll(async () => {
  gw = await startTestGateway({ pkiAlgorithm: 'gost2012-256' });
  scratch = join(gw.dir, 'scratch');
  await mkdir(scratch);
});
afterAll(async () => {
  await gw.dispose();
});

describe('a gateway on GOST', () => {
  it('signs, delivers, seals evidence and accepts a registration receipt, all in GOST', async () => {
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    expect(sent.status).toBe(202);
    const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
    const token = tokenOf(gw, 'gov-minprom');
    const res = await gw.app.request(`/api/v1/inbox/${id}/container`, { headers: auth(token) });
    const container = join(scratch, 'letter.zip');
    await writeFile(container, Buffer.from(await res.arrayBuffer()));
    expect(await engineVerifiesAll(container)).toBe(2);
    const extracted = await extractAll(container, join(scratch, 'env'));
    const envelope = (await readFile(extracted.get('envelope.xml') ?? '')).toString();
    expect(envelope).toContain('algorithm="streebog-256"');

    expect((await gw.app.request(`/api/v1/inbox/${id}/ack`, { method: 'POST', headers: auth(token) })).status).toBe(200);
    const key = loadSigningKeyPem(await readFile(join(gw.paths.pki, 'gov-minprom.key.pem')));
    const cert = pemToDerList(await readFile(join(gw.paths.pki, 'gov-minprom.cert.pem')))[0];
    if (!key.ok || cert === undefined) throw new Error('GOST identity unreadable');
    const receipt = join(scratch, 'receipt.zip');
    const made = await createReceipt({
      letterContainerPath: container,
      decision: { kind: 'registered', registration: { number: 'ВХ-77', date: '2026-11-25' } },
      signer: { privateKey: key.value, certificate: cert, chain: [] },
      receiptId: randomUUID(),
      now: gw.clock.now,
      outputPath: receipt,
    });
    expect(made.ok).toBe(true);
    const posted = await gw.app.request(`/api/v1/inbox/${id}/receipts`, { method: 'POST', body: await readFile(receipt), headers: { ...auth(token), 'content-type': 'application/zip' } });
    expect(posted.status).toBe(201);

    const view = (await (await gw.app.request(`/api/v1/messages/${id}`, { headers: auth(tokenOf(gw, 'demo-refinery')) })).json()) as {
      state: string;
      receipts: { kind: string; href: string }[];
      signatures: { indication: string; report: { signatureAlgorithm: string } }[];
    };
    expect(view.state).toBe('registered');
    expect(view.signatures.every((s) => s.indication === 'TOTAL-PASSED' && s.report.signatureAlgorithm.startsWith('gost2012'))).toBe(true);
    for (const r of view.receipts) {
      const file = join(scratch, `${r.kind}.zip`);
      await writeFile(file, Buffer.from(await (await gw.app.request(r.href, { headers: auth(tokenOf(gw, 'demo-refinery')) })).arrayBuffer()));
      expect(await engineVerifiesAll(file), r.kind).toBe(1);
    }
    expect(view.receipts.map((r) => r.kind)).toEqual(['accepted', 'delivered', 'registered']);
  });
});
