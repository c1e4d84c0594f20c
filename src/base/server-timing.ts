/** Named spans of one request, rendered as a Server-Timing header: `authorize;dur=0.4, upstream;dur=1.2`. */
export class ServerTiming {
  private readonly spans: Array<[string, number]> = [];
  private last: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.last = now();
  }

  /** Closes the span that began at the previous mark. */
  mark(name: string): void {
    const at = this.now();
    this.spans.push([name, at - this.last]);
    this.last = at;
  }

  header(): string {
    return this.spans.map(([name, ms]) => `${name};dur=${Math.round(ms * 1000) / 1000}`).join(', ');
  }
}
