/**
 * `npm run bench`: every figure next to the physical limit measured in the same run, and the ratio.
 * `--quick` shortens the loops (and uses a 256 MiB attachment) for a smoke run. Name sections to run
 * only those: `npm run bench -- letters gost` (letters, gateway, console, gost). Rows are printed as
 * each section finishes; a section that fails is reported and makes the exit status 1.
 */
import { loadavg } from 'node:os';
import { benchConsole } from './console.ts';
import { benchGateway } from './gateway.ts';
import { benchGost } from './gost.ts';
import { benchLetters, type BenchRow } from './letters.ts';

const SECTIONS = {
  letters: benchLetters,
  gateway: benchGateway,
  console: benchConsole,
  gost: benchGost,
} as const satisfies Record<string, (options: { quick: boolean }) => Promise<BenchRow[]>>;
type Section = keyof typeof SECTIONS;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((a): a is Section => a in SECTIONS);
const unknown = args.filter((a) => a !== '--quick' && !(a in SECTIONS));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench section(s): ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}\n`);
  process.exit(2);
}
const selected: Section[] = named.length > 0 ? named : (Object.keys(SECTIONS) as Section[]);

const w = (s: string, n: number): string => s.padEnd(n);
process.stdout.write(`edx-gateway bench (${quick ? 'quick' : 'full'}), node ${process.version}, ${new Date().toISOString()}, load ${loadavg()[0]?.toFixed(1) ?? '?'}\n\n`);
process.stdout.write(`${w('what', 44)} ${w('ours', 48)} ${w('limit (same run)', 66)} ratio  target\n`);
let failed = false;
for (const section of selected) {
  try {
    for (const r of await SECTIONS[section]({ quick })) {
      process.stdout.write(`${w(r.name, 44)} ${w(r.ours, 48)} ${w(r.limit, 66)} ${r.ratio.toFixed(2).padStart(5)}  ${r.target ?? ''}\n`);
    }
  } catch (error) {
    failed = true;
    process.stdout.write(`${section}: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
