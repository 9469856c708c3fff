/**
 * A progress display for long CLI operations, driven by counts rather than a clock so it is the
 * same on every run. On a terminal it redraws one line (`\r`) at the first count and whenever the
 * whole percentage changes, so 738 certificates cost 101 writes, not 738; elsewhere (`--progress`
 * into a pipe or a log) it prints a line at the first count and at every tenth. The final count
 * always ends its line.
 *
 * @example
 * const onProgress = progressReporter({ label: 'issuing certificates', write: ctx.stderr, tty: true });
 * onProgress(120, 738); // "\rissuing certificates 120/738 (16%)"
 */
export function progressReporter(input: { label: string; write: (text: string) => void; tty: boolean }): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    if (total <= 0) return;
    const percent = Math.floor((done * 100) / total);
    const step = input.tty ? percent : Math.floor(percent / 10) * 10;
    if (step === shown && done !== total) return;
    if (done === total && shown === 100) return;
    shown = done === total ? 100 : step;
    const text = `${input.label} ${done}/${total} (${percent}%)`;
    if (input.tty) input.write(`\r${text}${done === total ? '\n' : ''}`);
    else input.write(`${text}\n`);
  };
}
