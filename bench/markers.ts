/** Generated blocks inside hand-written files (README, RESULTS.md): the text between two HTML comment markers. */

/**
 * `text` with what lies between `start` and `end` replaced by `body`. Without the markers: `append` adds them
 * with `body` at the end; otherwise the text is returned as it is (a README without the block is left alone).
 */
export function replaceBetween(text: string, start: string, end: string, body: string, append: boolean): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) return append ? `${text.trimEnd()}\n\n${start}\n${body}\n${end}\n` : text;
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}
