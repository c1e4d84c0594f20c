/**
 * An export as a byte stream: the format's preamble, then a page of rows per pull. Nothing is read
 * ahead of the reader (highWaterMark 0), so memory holds one page whatever the range. A failure after
 * the first byte cannot change the status any more: the stream ends with the format's error line and
 * the failure is logged.
 */
import { logError } from '../base/log';
import { internalError, messageOf } from '../errors';
import { encodeRow, errorTrailer, exportPreamble, type ExportFormat } from './export-format';
import { exportPages, type ExportRange, type ExportSource } from './export-source';

export function exportStream(source: ExportSource, range: ExportRange, format: ExportFormat, context: Record<string, string> = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pages = exportPages(source, range);
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          const preamble = exportPreamble(format);
          if (preamble) {
            controller.enqueue(encoder.encode(preamble));
            return;
          }
        }
        try {
          const next = await pages.next();
          if (next.done) {
            controller.close();
            return;
          }
          controller.enqueue(encoder.encode(next.value.map((row) => encodeRow(row, format)).join('')));
        } catch (error) {
          logError('export.stream_failed', { ...context, message: 'the export ended with its error line', cause: messageOf(error) });
          const failure = internalError();
          controller.enqueue(encoder.encode(errorTrailer(format, { message: 'The export stopped before its end: it is incomplete. Retry the same range.', type: failure.type, code: failure.code })));
          controller.close();
        }
      },
      async cancel() {
        await pages.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
