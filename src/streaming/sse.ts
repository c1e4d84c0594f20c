/**
 * Server-sent events, decoded incrementally (per the HTML spec's
 * event-stream parsing: LF, CR or CRLF line ends, comments, multi-line data)
 * and encoded by two small functions. No provider strips `data: ` by hand.
 */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Text → events, incrementally: `push` each piece of decoded text (split UTF-8 already joined) and
 * take the events it completes; `end` flushes what the text left open. A plain object, so the chat
 * relay decodes a provider's stream in one pass with no stream stage per step.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;
  private pendingCr = false;

  push(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let input = text;
    // A CR ending the previous piece and an LF starting this one are one line end.
    if (this.pendingCr && input.startsWith('\n')) input = input.slice(1);
    this.pendingCr = false;
    const buffer = this.buffer + input;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const char = buffer[i];
      if (char !== '\n' && char !== '\r') continue;
      this.line(buffer.slice(start, i), out);
      if (char === '\r') {
        if (i + 1 === buffer.length) this.pendingCr = true;
        else if (buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.buffer = buffer.slice(start);
    return out;
  }

  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.buffer !== '') this.line(this.buffer, out);
    this.buffer = '';
    this.dispatch(out);
    return out;
  }

  private dispatch(out: SseEvent[]): void {
    if (this.data.length > 0) out.push(this.event === undefined ? { data: this.data.join('\n') } : { event: this.event, data: this.data.join('\n') });
    this.data = [];
    this.event = undefined;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') return this.dispatch(out);
    if (line.startsWith(':')) return; // comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}

/** Text → events as a stream stage. Feed it the output of a TextDecoderStream so split UTF-8 is already joined. */
export class SseDecoderStream extends TransformStream<string, SseEvent> {
  constructor() {
    const parser = new SseParser();
    super({
      transform(text, controller) {
        for (const event of parser.push(text)) controller.enqueue(event);
      },
      flush(controller) {
        for (const event of parser.end()) controller.enqueue(event);
      },
    });
  }
}

const encoder = new TextEncoder();

export const encodeSseData = (payload: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(payload)}\n\n`);

export const SSE_DONE = encoder.encode('data: [DONE]\n\n');

export const SSE_KEEPALIVE = encoder.encode(': keep-alive\n\n');

/** Headers for a relayed stream: no caching, no compression or proxy buffering in between. */
export const SSE_RESPONSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'Content-Encoding': 'identity',
  'X-Accel-Buffering': 'no',
} as const;
