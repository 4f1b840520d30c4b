import { createServer, type Server } from 'node:net';
import { expect } from 'vitest';
import { STACK } from '../support/stack.js';

/** Registers `schema` under `subject` in the real registry (any compatibility check of the subject applies). */
export async function registerUnder(subject: string, schema: unknown): Promise<number> {
  const res = await fetch(`${STACK.registryUrl}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { id: number }).id;
}

/** Zig-zag varint of a non-negative count, as Avro writes array block counts and lengths. */
export function avroLong(n: number): Buffer {
  const out: number[] = [];
  let z = n * 2; // zig-zag of a non-negative number
  while (z >= 128) {
    out.push(z % 128 | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return Buffer.from(out);
}

/** A TCP server that accepts connections and never answers: a registry that hangs. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
