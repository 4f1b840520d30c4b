import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { byteChunks } from '../../../../connectors/hgd/import.js';

const lines = (n: number) =>
  Array.from({ length: n }, (_, i) => `{"member_id":"M${i}","note":"dòng ${i}"}\n`);

async function collect(input: Readable, chunkBytes: number) {
  const out: Array<{ text: string; firstLine: number; lines: number }> = [];
  for await (const c of byteChunks(input, chunkBytes))
    out.push({ text: Buffer.from(c.bytes).toString('utf8'), firstLine: c.firstLine, lines: c.lines });
  return out;
}

describe('byteChunks', () => {
  afterEach(() => vi.restoreAllMocks());

  it('cuts a stream of single lines into whole-line chunks, numbering their first lines', async () => {
    const input = lines(5000);
    const chunks = await collect(Readable.from(input), 4096);
    expect(chunks.map((c) => c.text).join('')).toBe(input.join(''));
    let next = 1;
    for (const c of chunks) {
      expect(c.text.endsWith('\n')).toBe(true);
      expect(c.firstLine).toBe(next);
      expect(c.lines).toBe(c.text.split('\n').length - 1);
      next += c.lines;
    }
    expect(next).toBe(5001);
    // Not one chunk per line, and not everything in one: about chunkBytes each.
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.length).toBeLessThan(input.join('').length / 4096 + 2);
  });

  it('joins the pending parts once per chunk, not once per part (a stream of small parts stays linear)', async () => {
    const concat = vi.spyOn(Buffer, 'concat');
    const chunks = await collect(Readable.from(lines(5000)), 64 * 1024);
    expect(concat.mock.calls.length).toBeLessThanOrEqual(chunks.length + 1);
  });

  it('keeps a line longer than the chunk size whole, and a last line without a newline', async () => {
    const long = `${'x'.repeat(10_000)}\n`;
    const input = ['a\n', long, 'b\n', 'c'];
    const chunks = await collect(Readable.from(input), 1024);
    expect(chunks.map((c) => c.text).join('')).toBe(input.join(''));
    expect(chunks.some((c) => c.text.includes(long))).toBe(true);
    const last = chunks[chunks.length - 1]!;
    expect(last.text.endsWith('c')).toBe(true);
    expect(chunks.reduce((a, c) => a + c.lines, 0)).toBe(4);
  });
});
