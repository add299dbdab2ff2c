/** What the end-to-end benchmark's figures share: percentiles, number formats, tables, the final verdicts. */

/** Nearest-rank percentile (p in 0–100) of unsorted values: a value that was measured, never an interpolation. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
export const ms = (value: number) =>
  Number.isFinite(value) ? `${value.toFixed(value < 10 ? 1 : 0).replace(/\.0$/, '')} ms` : '–';
export const seconds = (valueMs: number) => (Number.isFinite(valueMs) ? `${(valueMs / 1e3).toFixed(2)} s` : '–');
export const mb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MB` : '–');
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: ReadonlySet<number>,
): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** One line of the final table. `met` is null when the figure could not be measured. */
export interface Verdict {
  readonly figure: string;
  readonly measured: string;
  readonly reference: string;
  readonly target: string;
  readonly met: boolean | null;
}

export function verdictTable(verdicts: readonly Verdict[]): string {
  return table(
    ['figure', 'measured', 'reference (same run)', 'target', 'met'],
    verdicts.map((v) => [v.figure, v.measured, v.reference, v.target, v.met === null ? '–' : v.met ? 'yes' : 'NO']),
    new Set(),
  );
}

/** A section heading, as the figures print them. */
export function heading(title: string): void {
  console.log(`\n${title}\n${'='.repeat(title.length)}`);
}

/** Overwrites the current terminal line with progress (a plain line when output is not a terminal). */
export function progress(text: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r  ${text}\x1b[K`);
}

export function endProgress(): void {
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
}

export const sleep = (delayMs: number) => new Promise<void>((resolve) => setTimeout(resolve, delayMs));

/** Runs `task` for 0..count-1 with at most `concurrency` at once; results in index order. */
export async function lanes<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  return results;
}
