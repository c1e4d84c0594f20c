/**
 * The D1 database id in an environment's section of wrangler.toml: read it, and write the id
 * `wrangler d1 create` answered. A text edit of the one line, so the file's comments and layout stay.
 */
import type { Environment } from './environments.ts';

/** What wrangler.toml holds until setup writes the real id. */
export const D1_ID_PLACEHOLDER = 'SET-BY-SETUP-CLOUDFLARE';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The line range of `[[env.<env>.d1_databases]]`'s table: its header up to the next header. */
function d1Section(lines: readonly string[], env: Environment): { start: number; end: number } {
  const header = `[[env.${env}.d1_databases]]`;
  const start = lines.findIndex((line) => line.trim() === header);
  if (start < 0) throw new Error(`wrangler.toml has no ${header} section`);
  let end = start + 1;
  while (end < lines.length && !lines[end]!.trim().startsWith('[')) end++;
  return { start, end };
}

const ID_LINE = /^(\s*database_id\s*=\s*)"([^"]*)"(.*)$/;

export function readD1Id(toml: string, env: Environment): string {
  const lines = toml.split('\n');
  const { start, end } = d1Section(lines, env);
  for (let i = start + 1; i < end; i++) {
    const match = ID_LINE.exec(lines[i]!);
    if (match) return match[2]!;
  }
  throw new Error(`[[env.${env}.d1_databases]] in wrangler.toml has no database_id`);
}

export function writeD1Id(toml: string, env: Environment, id: string): string {
  if (!UUID.test(id)) throw new Error(`not a D1 database id: ${id}`);
  const lines = toml.split('\n');
  const { start, end } = d1Section(lines, env);
  for (let i = start + 1; i < end; i++) {
    const match = ID_LINE.exec(lines[i]!);
    if (match) {
      lines[i] = `${match[1]}"${id}"${match[3]}`;
      return lines.join('\n');
    }
  }
  throw new Error(`[[env.${env}.d1_databases]] in wrangler.toml has no database_id`);
}

/** The id in `wrangler d1 create`'s answer (it prints the config snippet to paste, with the id in it). */
export function d1IdFromCreateOutput(output: string): string | undefined {
  const near = /database_id["']?\s*[:=]\s*["']([0-9a-f-]{36})["']/i.exec(output);
  return near?.[1] ?? UUID.exec(output)?.[0];
}
