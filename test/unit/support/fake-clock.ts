/**
 * A clock for code that takes `now` and `schedule`: time moves only when a test
 * moves it, and the timers due on the way fire in order, each followed by
 * everything the promises it woke go on to do.
 */
interface Timer {
  at: number;
  order: number;
  callback: () => void;
}

/** Lets every pending promise reaction run: one turn of the event loop, no time passes. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class FakeClock {
  private time = 0;
  private timers: Timer[] = [];
  private scheduled = 0;

  readonly now = (): number => this.time;

  /** How many timers were ever set, and how many are still pending. */
  get timersSet(): number {
    return this.scheduled;
  }

  get timersPending(): number {
    return this.timers.length;
  }

  readonly schedule = (callback: () => void, ms: number): (() => void) => {
    const timer: Timer = { at: this.time + ms, order: this.scheduled++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((other) => other !== timer);
    };
  };

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (let timer = await this.due(until); timer; timer = await this.due(until)) this.fire(timer);
    this.time = until;
    await settle();
  }

  /** Moves time to the next timer and fires it (and any due with it); false when none is set. */
  async next(): Promise<boolean> {
    await settle();
    const timer = this.earliest();
    if (!timer) return false;
    await this.advance(timer.at - this.time);
    return true;
  }

  private async due(until: number): Promise<Timer | undefined> {
    await settle();
    const timer = this.earliest();
    return timer && timer.at <= until ? timer : undefined;
  }

  private earliest(): Timer | undefined {
    return [...this.timers].sort((a, b) => a.at - b.at || a.order - b.order)[0];
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((other) => other !== timer);
    this.time = timer.at;
    timer.callback();
  }
}
