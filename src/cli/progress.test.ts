import { describe, expect, it } from 'vitest';
import { progressReporter } from './progress.ts';

function run(tty: boolean, total: number): string[] {
  const out: string[] = [];
  const report = progressReporter({ label: 'issuing certificates', write: (t) => out.push(t), tty });
  for (let done = 1; done <= total; done++) report(done, total);
  return out;
}

describe('progressReporter', () => {
  it('redraws one terminal line at once and per whole percent and ends it with a newline', () => {
    const out = run(true, 738);
    expect(out.length).toBe(101); // 0% (shown at once) .. 100%
    expect(out.every((t) => t.startsWith('\rissuing certificates '))).toBe(true);
    expect(out[0]).toBe('\rissuing certificates 1/738 (0%)');
    expect(out[1]).toBe('\rissuing certificates 8/738 (1%)');
    expect(out.at(-1)).toBe('\rissuing certificates 738/738 (100%)\n');
    expect(out.slice(0, -1).some((t) => t.endsWith('\n'))).toBe(false);
  });
  it('prints a line per tenth when not on a terminal, the first at the start', () => {
    const out = run(false, 738);
    expect(out).toEqual([
      'issuing certificates 1/738 (0%)\n',
      ...[10, 20, 30, 40, 50, 60, 70, 80, 90].map((p) => {
        const done = Math.ceil((p * 738) / 100);
        return `issuing certificates ${done}/738 (${Math.floor((done * 100) / 738)}%)\n`;
      }),
      'issuing certificates 738/738 (100%)\n',
    ]);
  });
  it('shows every step of a small total, and the end only once', () => {
    const out: string[] = [];
    const report = progressReporter({ label: 'x', write: (t) => out.push(t), tty: false });
    report(1, 3);
    report(2, 3);
    report(3, 3);
    report(3, 3);
    expect(out).toEqual(['x 1/3 (33%)\n', 'x 2/3 (66%)\n', 'x 3/3 (100%)\n']);
  });
});
