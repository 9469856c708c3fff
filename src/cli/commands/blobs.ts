import { join } from 'node:path';
import { z } from 'zod';
import { collectBlobs } from '../../delivery/index.ts';
import { createBlobStore } from '../../storage/index.ts';
import { parseCommandArgs } from '../args.ts';
import { EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { openGatewayDatabase } from './trust.ts';

export const blobsGcUsage = `edx blobs gc [--data-dir DIR] [--grace-hours H] [--dry-run] [--json]

Removes the content-addressed blobs (containers, receipts, evidence) that no message, receipt or
evidence row of the gateway in DIR (default ./data) references and that are older than the grace
period (default 24 hours) — leftovers of submissions that failed after writing their blobs. Safe
while the gateway runs: a blob a committing row is about to reference is never taken (see
collectBlobGarbage). --dry-run only counts. The gateway also runs this once a day.`;

const schema = z.object({
  'data-dir': z.string().min(1).default('data'),
  'grace-hours': z.coerce.number().min(0).max(24 * 365).default(24),
  'dry-run': z.boolean().optional(),
  json: z.boolean().optional(),
});

export async function blobsGcCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { 'data-dir': { type: 'string' }, 'grace-hours': { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, schema);
  const handle = openGatewayDatabase(values['data-dir'], ctx.now());
  try {
    const result = await collectBlobs(
      { db: handle.db, blobs: createBlobStore(join(values['data-dir'], 'blobs')), now: ctx.now },
      { graceMs: values['grace-hours'] * 3_600_000, actor: 'cli', ...(values['dry-run'] === true ? { dryRun: true } : {}) },
    );
    if (values.json === true) {
      ctx.stdout(`${JSON.stringify({ dryRun: values['dry-run'] === true, ...result })}\n`);
    } else {
      const verb = values['dry-run'] === true ? 'would remove' : 'removed';
      ctx.stdout(`${result.scanned} blobs: ${result.referenced} referenced, ${result.young} unreferenced but younger than ${values['grace-hours']} h; ${verb} ${result.removed} (${result.removedBytes} bytes)\n`);
    }
    return EXIT.ok;
  } finally {
    handle.close();
  }
}
