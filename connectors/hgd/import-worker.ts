import { parentPort } from 'node:worker_threads';
import { processChunkBytes } from './import-lines.js';

/** Worker thread of `hgd import`: parses, validates and prepares chunks of member lines (see import-lines.ts). */
const port = parentPort;
if (port === null) throw new Error('import-worker.ts runs as a worker thread');
port.on('message', (msg: { bytes: Uint8Array; firstLine: number; keyRows: boolean; withLine: boolean }) => {
  try {
    const result = processChunkBytes(msg.bytes, msg.firstLine, msg.keyRows, msg.withLine);
    // The COPY text moves to the main thread without a copy (a large Buffer owns its ArrayBuffer).
    const transfer = [result.copy, result.keyCopy, result.householdCopy]
      .filter((b) => b.byteLength > 0 && b.byteOffset === 0 && b.buffer.byteLength === b.byteLength)
      .map((b) => b.buffer as ArrayBuffer);
    port.postMessage({ ok: true, result }, transfer);
  } catch (e) {
    // A bug, not a bad line (bad lines are rejects): the import stops. The message names no value of the line.
    port.postMessage({ ok: false, error: (e as Error).name });
  }
});
