import { parentPort } from 'node:worker_threads';
import { processChunk } from './import-lines.js';

/** Worker thread of `hgd import`: parses, validates and prepares chunks of member lines (see import-lines.ts). */
const port = parentPort;
if (port === null) throw new Error('import-worker.ts runs as a worker thread');
port.on('message', (msg: { text: string; firstLine: number; keyRows: boolean }) => {
  try {
    port.postMessage({ ok: true, result: processChunk(msg.text, msg.firstLine, msg.keyRows) });
  } catch (e) {
    // A bug, not a bad line (bad lines are rejects): the import stops. The message names no value of the line.
    port.postMessage({ ok: false, error: (e as Error).name });
  }
});
