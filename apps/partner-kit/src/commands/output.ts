/** How a command speaks: to people (lines on stdout, warnings on stderr) or to scripts (one JSON document on stdout). */
export class Output {
  private readonly warnings: string[] = [];

  constructor(readonly json: boolean) {}

  line(text: string): void {
    if (!this.json) process.stdout.write(`${text}\n`);
  }

  warn(text: string | null): void {
    if (!text) return;
    this.warnings.push(text);
    if (!this.json) process.stderr.write(`warning: ${text}\n`);
  }

  /** The command's result: printed as JSON (with the warnings) for scripts; people have had the lines. */
  result(value: Record<string, unknown>): void {
    if (this.json) process.stdout.write(`${JSON.stringify({ ...value, warnings: this.warnings }, null, 2)}\n`);
  }
}
