/** Bounded reading of a body stream: the browser's request, and the provider's answer. */

/** A body over the limit is still read (and dropped) up to this, so that the 413 gets through. */
const DRAIN_CAP = 1024 * 1024;

/** Reads the browser's body up to `limit` bytes; a larger one is drained (up to a cap) and dropped. */
export async function readBrowserBody(
  request: Request,
  limit: number,
): Promise<Uint8Array | 'too-large' | 'unreadable'> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > Math.max(limit, DRAIN_CAP)) return 'too-large';
  try {
    return await readLimited(request.body, limit, DRAIN_CAP);
  } catch {
    return 'unreadable';
  }
}

/**
 * Reads a stream, keeping at most `limit` bytes. Past the limit it keeps reading (and dropping)
 * up to `drainCap` bytes in total, then gives up.
 */
export async function readLimited(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  drainCap: number,
): Promise<Uint8Array | 'too-large'> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= limit) chunks.push(value);
    else if (size > drainCap) {
      await reader.cancel().catch(() => {});
      return 'too-large';
    }
  }
  if (size > limit) return 'too-large';
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
