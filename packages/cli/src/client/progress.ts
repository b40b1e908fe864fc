/** Transfer progress on a terminal: bytes and rate on stderr when stderr is a TTY, nothing otherwise. */

/** Shortest time between two progress lines, in ms. */
const EVERY_MS = 250;

/** Bytes in binary units with one decimal ('1.5 MiB'). */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Counts transferred bytes; shows `N bytes, R/s` on a TTY stderr (overwritten in place). */
export class Progress {
  private bytes = 0;
  private shown = false;
  private last = 0;
  private readonly start = Date.now();

  /** `verb` names the transfer ('read', 'written'); `stream` defaults to stderr. */
  constructor(private readonly verb: string, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  /** Adds `n` bytes; redraws at most every 250 ms. */
  add(n: number): void {
    this.bytes += n;
    const now = Date.now();
    if (this.stream.isTTY && now - this.last >= EVERY_MS) {
      this.last = now;
      this.draw(now);
    }
  }

  /** Total so far. */
  get total(): number {
    return this.bytes;
  }

  /** Draws the final figure and ends the line (only if a line was drawn). */
  done(): void {
    if (!this.shown) return;
    this.draw(Date.now());
    this.stream.write('\n');
  }

  private draw(now: number): void {
    const secs = Math.max((now - this.start) / 1000, 0.001);
    this.stream.write(`\r${this.verb} ${humanBytes(this.bytes)} (${this.bytes} bytes), ${humanBytes(Math.round(this.bytes / secs))}/s\x1b[K`);
    this.shown = true;
  }
}
