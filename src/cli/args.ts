import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { CliError } from './cli-error.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` with node:util's strict parser, then checks the values with a zod schema so each
 * command receives typed, validated options. Unknown flags and bad values are usage errors (exit 2).
 */
export function parseCommandArgs<S extends z.ZodType>(
  argv: readonly string[],
  options: Options,
  schema: S,
  allowPositionals = false,
): { values: z.infer<S>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals });
  } catch (error) {
    throw new CliError('USAGE', error instanceof Error ? error.message : String(error));
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first === undefined || first.path.length === 0 ? '' : `--${first.path.join('.')}: `;
    throw new CliError('USAGE', `${where}${first?.message ?? 'invalid arguments'}`);
  }
  return { values: result.data, positionals: parsed.positionals };
}

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/u, 'expected a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'not a calendar date');
