/**
 * Start-up and shutdown hooks: each part of the process is started in order and stopped in reverse, so a failure
 * half-way through start-up releases what was already opened, and shutdown closes the consumer before the
 * database it writes to.
 */
export interface Part {
  name: string;
  stop(): Promise<void>;
}

export class Lifecycle {
  private readonly parts: Part[] = [];
  private stopped = false;

  constructor(private readonly onStopError: (part: string, e: unknown) => void = () => undefined) {}

  /** Registers a started part; it will be stopped before every part registered earlier. */
  add(part: Part): void {
    this.parts.push(part);
  }

  /** Runs `start` and registers what it returns; on failure stops everything started so far and rethrows. */
  async start<T>(name: string, start: () => Promise<T>, stop: (value: T) => Promise<void>): Promise<T> {
    try {
      const value = await start();
      this.add({ name, stop: () => stop(value) });
      return value;
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const part of this.parts.reverse()) {
      await part.stop().catch((e: unknown) => this.onStopError(part.name, e));
    }
  }
}
