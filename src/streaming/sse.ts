/**
 * Server-sent events, decoded once as a stream pipeline (per the HTML spec's
 * event-stream parsing: LF, CR or CRLF line ends, comments, multi-line data)
 * and encoded by two small functions. No provider strips `data: ` by hand.
 */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Text → events. Feed it the output of a TextDecoderStream so split UTF-8 is already joined. */
export class SseDecoderStream extends TransformStream<string, SseEvent> {
  constructor() {
    let buffer = '';
    let data: string[] = [];
    let event: string | undefined;
    let pendingCr = false;

    const dispatch = (controller: TransformStreamDefaultController<SseEvent>) => {
      if (data.length > 0) controller.enqueue(event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') });
      data = [];
      event = undefined;
    };

    const processLine = (line: string, controller: TransformStreamDefaultController<SseEvent>) => {
      if (line === '') return dispatch(controller);
      if (line.startsWith(':')) return; // comment (keep-alive)
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
    };

    super({
      transform(text, controller) {
        let input = text;
        // A CR ending the previous chunk and an LF starting this one are one line end.
        if (pendingCr && input.startsWith('\n')) input = input.slice(1);
        pendingCr = false;
        buffer += input;
        let start = 0;
        for (let i = 0; i < buffer.length; i++) {
          const char = buffer[i];
          if (char !== '\n' && char !== '\r') continue;
          processLine(buffer.slice(start, i), controller);
          if (char === '\r') {
            if (i + 1 === buffer.length) pendingCr = true;
            else if (buffer[i + 1] === '\n') i++;
          }
          start = i + 1;
        }
        buffer = buffer.slice(start);
      },
      flush(controller) {
        if (buffer !== '') processLine(buffer, controller);
        buffer = '';
        dispatch(controller);
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
