'use strict';
/** Progress display: a bar redrawn in place on a TTY, plain numbered lines otherwise. */
class Progress {
  constructor(total, stream = process.stderr) {
    this.total = Math.max(1, total);
    this.done = 0;
    this.stream = stream;
    this.tty = !!stream.isTTY && process.env.CI !== 'true';
    this.label = '';
    this.t0 = Date.now();
  }

  /** Starts a row: shows its label. */
  start(label) {
    this.label = label;
    if (this.tty) this.draw();
    else this.stream.write(`bench [${this.done + 1}/${this.total}] ${label} ...\n`);
  }

  /** Marks the current row done. */
  tick() {
    this.done = Math.min(this.total, this.done + 1);
    if (this.tty) this.draw();
  }

  /** Prints a line above the bar. */
  log(line) {
    if (this.tty) this.stream.write('\r\x1b[2K');
    this.stream.write(line + '\n');
    if (this.tty) this.draw();
  }

  draw() {
    const width = 28;
    const fill = Math.round((this.done / this.total) * width);
    const secs = Math.round((Date.now() - this.t0) / 1000);
    const cols = this.stream.columns || 100;
    const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${this.done}/${this.total} ${secs}s ${this.label}`;
    this.stream.write('\r\x1b[2K' + line.slice(0, cols - 1));
  }

  /** Clears the bar at the end. */
  end() {
    if (this.tty) this.stream.write('\r\x1b[2K');
  }
}

module.exports = { Progress };
