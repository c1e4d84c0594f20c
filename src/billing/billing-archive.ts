/**
 * An account's day of billing logs as one R2 object, `accounts/<id>/<day>.ndjson`
 * (the shared line format, ordered by createdAt then requestId), written and
 * read back as streams: a busy account's day (~864k rows) is never held in
 * memory. The object goes up as one put when it is small, else as a multipart
 * upload of PART_BYTES parts (R2 wants every part but the last of one size, at
 * least 5 MiB); its SHA-256 is computed as the bytes go out, and again from
 * what R2 gives back.
 */

import { toHex } from '../base/ids';

/** R2's smallest part but the last; every part but the last is exactly this long (archives and exports alike). */
export const PART_BYTES = 5 * 1024 * 1024;
const NEWLINE = 0x0a;

export interface ArchiveFacts {
  rows: number;
  bytes: number;
  /** Hex SHA-256 of the object's bytes. */
  sha256: string;
}

export const archiveKey = (accountId: string, day: string): string => `accounts/${accountId}/${day}.ndjson`;

/** Counts lines and bytes and hashes what is fed to it, chunk by chunk. */
class StreamFacts {
  private readonly digest = new crypto.DigestStream('SHA-256');
  private readonly writer = this.digest.getWriter();
  rows = 0;
  bytes = 0;

  async add(chunk: Uint8Array): Promise<void> {
    this.bytes += chunk.byteLength;
    // indexOf runs natively: a busy day is ~450 MB.
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) this.rows += 1;
    await this.writer.write(chunk);
  }

  async done(): Promise<ArchiveFacts> {
    await this.writer.close();
    return { rows: this.rows, bytes: this.bytes, sha256: toHex(await this.digest.digest) };
  }
}

/**
 * Writes `pages` (each a run of whole lines) to `key`, replacing what is there;
 * answers what it wrote. Throws when R2 refuses a part (an unfinished multipart
 * upload is aborted, so no object is left half-written under the key).
 */
export async function writeArchive(bucket: R2Bucket, key: string, pages: AsyncIterable<string>, partBytes = PART_BYTES): Promise<ArchiveFacts> {
  const facts = new StreamFacts();
  const encoder = new TextEncoder();
  let part = new Uint8Array(partBytes);
  let filled = 0;
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];
  try {
    for await (const page of pages) {
      let bytes = encoder.encode(page);
      await facts.add(bytes);
      while (bytes.byteLength > 0) {
        const taken = Math.min(bytes.byteLength, partBytes - filled);
        part.set(bytes.subarray(0, taken), filled);
        filled += taken;
        bytes = bytes.subarray(taken);
        if (filled === partBytes) {
          upload ??= await bucket.createMultipartUpload(key, { httpMetadata: { contentType: 'application/x-ndjson' } });
          parts.push(await upload.uploadPart(parts.length + 1, part));
          part = new Uint8Array(partBytes);
          filled = 0;
        }
      }
    }
    const rest = part.subarray(0, filled);
    if (!upload) {
      await bucket.put(key, rest, { httpMetadata: { contentType: 'application/x-ndjson' } });
    } else {
      if (filled > 0) parts.push(await upload.uploadPart(parts.length + 1, rest));
      await upload.complete(parts);
    }
  } catch (error) {
    await upload?.abort().catch(() => undefined);
    throw error;
  }
  return facts.done();
}

/** What R2 holds under `key`, counted and hashed as it streams back; undefined when there is no object. */
export async function readArchiveFacts(bucket: R2Bucket, key: string): Promise<ArchiveFacts | undefined> {
  const object = await bucket.get(key);
  if (!object) return undefined;
  const facts = new StreamFacts();
  const reader = object.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await facts.add(value);
  }
  return facts.done();
}
