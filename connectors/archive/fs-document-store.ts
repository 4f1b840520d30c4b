/**
 * The document archive on a filesystem, rooted at ARCHIVE_DIR (config.archiveDir). A key such as
 * `2026/11/form01-REG1.pdf` (from `archive://2026/11/form01-REG1.pdf`, see src/flows/adult-registration/documents.ts)
 * names `<ARCHIVE_DIR>/2026/11/form01-REG1.pdf`. Nothing outside the root is ever opened: the key is resolved
 * lexically and then through symbolic links (realpath), and both must stay under the root's real path.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { TransientError } from '../../src/domain/errors.js';
import type { DocumentInspection, DocumentStore } from '../../src/ports/documents.js';

const HEAD_BYTES = 16;

/** Errors that mean "no such document" (the registrant's problem) rather than an outage. */
const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);
const UNREADABLE = new Set(['EACCES', 'EPERM', 'EISDIR']);

export class FsDocumentStore implements DocumentStore {
  private readonly root: string;
  private realRoot: Promise<string> | null = null;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private rootReal(): Promise<string> {
    this.realRoot ??= realpath(this.root).catch((e: unknown) => {
      this.realRoot = null;
      throw new TransientError(`ARCHIVE_DIR ${this.root} is not reachable: ${(e as Error).message}`, {
        cause: e,
      });
    });
    return this.realRoot;
  }

  async inspect(key: string, opts: { expectedSize?: number } = {}): Promise<DocumentInspection> {
    const lexical = path.resolve(this.root, key);
    if (!isInside(this.root, lexical) || key.includes('\0')) return { status: 'outside_root' };
    const root = await this.rootReal();
    try {
      const real = await realpath(lexical);
      if (!isInside(root, real)) return { status: 'outside_root' };
      const st = await stat(real);
      if (!st.isFile()) return { status: 'not_found' };
      if (opts.expectedSize !== undefined && st.size !== opts.expectedSize) {
        return { status: 'found', sizeBytes: st.size, sha256: null, head: await readHead(real) };
      }
      return { status: 'found', ...(await digest(real)) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (NOT_FOUND.has(code)) return { status: 'not_found' };
      if (UNREADABLE.has(code)) return { status: 'unreadable', detail: code };
      throw new TransientError(`archive read failed for ${key}: ${(e as Error).message}`, { cause: e });
    }
  }
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

async function readHead(file: string): Promise<Uint8Array> {
  const fh = await open(file, constants.O_RDONLY);
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** One streaming pass: SHA-256, size and the first bytes, without holding the file in memory. */
async function digest(file: string): Promise<{ sizeBytes: number; sha256: string; head: Uint8Array }> {
  const hash = createHash('sha256');
  let size = 0;
  const head: Buffer[] = [];
  let headLen = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    if (headLen < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - headLen);
      head.push(part);
      headLen += part.length;
    }
  }
  return { sizeBytes: size, sha256: hash.digest('hex'), head: Buffer.concat(head) };
}
