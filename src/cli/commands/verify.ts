import { z } from 'zod';
import { DEFAULT_VALIDATION_POLICY } from '../../crypto/index.ts';
import { verifyContainer } from '../../letters/index.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError, EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { formatVerification } from '../format-verification.ts';
import { loadTrustAnchors } from '../load-identity.ts';

export const verifyUsage = `edx verify CONTAINER.zip --trust CA.pem [--trust ...] [--qualified-trust CA.pem ...]
           [--json] [--no-revocation]

Verifies a letter or receipt container: every file against the envelope and every signature
(ETSI EN 319 102-1 indications). Exit 0 only when every signature is TOTAL-PASSED and the
container is complete; 1 when anything does not pass; 2 for malformed input. Anchors given with
--qualified-trust count as qualified (e.g. the development root, see trust.json of edx pki init).
Revocation checking is required by default; --no-revocation skips it and the report says so.`;

const schema = z.object({
  trust: z.array(z.string()).optional(),
  'qualified-trust': z.array(z.string()).optional(),
  json: z.boolean().optional(),
  'no-revocation': z.boolean().optional(),
});

export async function verifyCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(
    argv,
    {
      trust: { type: 'string', multiple: true },
      'qualified-trust': { type: 'string', multiple: true },
      json: { type: 'boolean' },
      'no-revocation': { type: 'boolean' },
    },
    schema,
    true,
  );
  const [containerPath, ...extra] = positionals;
  if (containerPath === undefined || extra.length > 0) throw new CliError('USAGE', 'give exactly one CONTAINER.zip');
  const trustAnchors = await loadTrustAnchors(v.trust ?? [], v['qualified-trust'] ?? []);
  if (trustAnchors.length === 0) throw new CliError('USAGE', 'give at least one --trust or --qualified-trust CA certificate');
  const policy = { ...DEFAULT_VALIDATION_POLICY, revocation: v['no-revocation'] === true ? ('skip' as const) : ('require' as const) };
  const result = await verifyContainer({ containerPath, trustAnchors, policy, now: ctx.now() });
  if (!result.ok) {
    if (v.json === true) ctx.stdout(`${JSON.stringify({ error: result.error }, null, 2)}\n`);
    throw new CliError(result.error.code, `${containerPath}: ${result.error.message}`);
  }
  ctx.stdout(v.json === true ? `${JSON.stringify(result.value, null, 2)}\n` : formatVerification(result.value));
  return result.value.passed ? EXIT.ok : EXIT.notPassed;
}
