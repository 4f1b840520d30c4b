/** A small progress line on stderr (rate and count); redraws in place on a TTY, prints periodically otherwise. */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private count = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly total: number | null = null,
    private readonly stream: NodeJS.WritableStream = process.stderr,
  ) {}

  tick(n = 1): void {
    this.count += n;
    const now = Date.now();
    if (now - this.lastDraw >= (this.tty ? 100 : 2000)) this.draw(now);
  }

  get value(): number {
    return this.count;
  }

  done(): { count: number; seconds: number; perSecond: number } {
    this.draw(Date.now(), true);
    const seconds = (Date.now() - this.started) / 1000;
    return { count: this.count, seconds, perSecond: seconds > 0 ? this.count / seconds : this.count };
  }

  private draw(now: number, final = false): void {
    this.lastDraw = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = Math.round(this.count / secs);
    let bar = '';
    if (this.total && this.total > 0) {
      const frac = Math.min(1, this.count / this.total);
      const width = 30;
      const full = Math.round(frac * width);
      bar = `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% `;
    }
    const line = `${this.label} ${bar}${this.count}${this.total ? `/${this.total}` : ''} (${rate}/s, ${secs.toFixed(1)} s)`;
    this.stream.write(this.tty ? `\r${line}${final ? '\n' : ''}` : `${line}\n`);
  }
}
