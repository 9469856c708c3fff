/**
 * `npm run bench`: every figure next to the physical limit measured in the same run, and the ratio.
 * `--quick` shortens the loops (and uses a 256 MiB attachment) for a smoke run.
 */
import { benchLetters, type BenchRow } from './letters.ts';
import { benchGateway } from './gateway.ts';

const quick = process.argv.includes('--quick');
const rows: BenchRow[] = [...(await benchLetters({ quick }))];
rows.push(...(await benchGateway({ quick })));

const w = (s: string, n: number): string => s.padEnd(n);
process.stdout.write(`edx-gateway bench (${quick ? 'quick' : 'full'}), node ${process.version}, ${new Date().toISOString()}\n\n`);
process.stdout.write(`${w('what', 44)} ${w('ours', 48)} ${w('limit (same run)', 66)} ratio  target\n`);
for (const r of rows) {
  process.stdout.write(`${w(r.name, 44)} ${w(r.ours, 48)} ${w(r.limit, 66)} ${r.ratio.toFixed(2).padStart(5)}  ${r.target ?? ''}\n`);
}
