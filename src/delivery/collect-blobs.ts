import { appendEvent, tables } from '../db/index.ts';
import { collectBlobGarbage, type BlobGcResult } from '../storage/index.ts';
import type { GatewayContext } from './context.ts';

/** Default grace period: a submission never takes a day between writing its blobs and committing. */
export const BLOB_GC_GRACE_MS = 24 * 3_600_000;

/**
 * Removes the blobs no message, receipt or evidence row references (see collectBlobGarbage for
 * why this cannot take a blob a committing row is about to reference) and journals what it did.
 */
export async function collectBlobs(ctx: Pick<GatewayContext, 'db' | 'blobs' | 'now'>, options: { graceMs?: number; dryRun?: boolean; actor: string }): Promise<BlobGcResult> {
  const referenced = new Set<string>();
  for (const r of ctx.db.select({ id: tables.messages.containerBlob }).from(tables.messages).all()) referenced.add(r.id);
  for (const r of ctx.db.select({ id: tables.receipts.containerBlob }).from(tables.receipts).all()) referenced.add(r.id);
  for (const r of ctx.db.select({ id: tables.messageEvidence.blob }).from(tables.messageEvidence).all()) referenced.add(r.id);
  const now = ctx.now();
  const graceMs = options.graceMs ?? BLOB_GC_GRACE_MS;
  const result = await collectBlobGarbage({ root: ctx.blobs.root, referenced, now, graceMs, ...(options.dryRun === true ? { dryRun: true } : {}) });
  if (options.dryRun !== true && (result.removed > 0 || result.restored > 0)) {
    ctx.db.transaction((tx) => {
      appendEvent(tx, { at: now.toISOString(), type: 'blobs.collected', actor: options.actor, messageId: null, fromState: null, toState: null, detail: { ...result, graceMs } });
    });
  }
  return result;
}
