/**
 * The document archive on a filesystem, rooted at ARCHIVE_DIR (config.archiveDir). A key such as
 * `2026/11/form01-REG1.pdf` (from `archive://2026/11/form01-REG1.pdf`, see src/flows/adult-registration/documents.ts)
 * names `<ARCHIVE_DIR>/2026/11/form01-REG1.pdf`. Nothing outside the root is ever read: the key is resolved
 * lexically and then through symbolic links (realpath), and both must stay under the root's real path; the file
 * is then opened once (O_NOFOLLOW), must have exactly one link (a hard link could name a file outside the root),
 * must still be what the path names, and is sized, sniffed and hashed from that one descriptor.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
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
    let fh: FileHandle | null = null;
    try {
      const real = await realpath(lexical);
      if (!isInside(root, real)) return { status: 'outside_root' };
      // Opened once, by descriptor: O_NOFOLLOW refuses a last component swapped for a symbolic link since the
      // realpath, O_NONBLOCK keeps a FIFO from blocking the open. Everything after this reads the descriptor.
      fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      const st = await fh.stat();
      if (!st.isFile()) return { status: 'not_found' };
      // A second name for the same file (a hard link) may live outside the root: refused as if it did.
      if (st.nlink !== 1) return { status: 'outside_root' };
      // The path may have been re-pointed between realpath and open (a directory swapped for a link): the file
      // we hold must still be the one the path names, inside the root.
      const again = await realpath(lexical);
      const named = await lstat(again);
      if (!isInside(root, again) || named.ino !== st.ino || named.dev !== st.dev)
        return { status: 'outside_root' };
      if (opts.expectedSize !== undefined && st.size !== opts.expectedSize) {
        return { status: 'found', sizeBytes: st.size, sha256: null, head: await readHead(fh) };
      }
      return { status: 'found', ...(await digest(fh)) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (NOT_FOUND.has(code)) return { status: 'not_found' };
      if (UNREADABLE.has(code)) return { status: 'unreadable', detail: code };
      throw new TransientError(`archive read failed for ${key}: ${(e as Error).message}`, { cause: e });
    } finally {
      await fh?.close();
    }
  }
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

async function readHead(fh: FileHandle): Promise<Uint8Array> {
  const buf = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
  return buf.subarray(0, bytesRead);
}

/** One streaming pass over the open descriptor: SHA-256, size and the first bytes, in bounded memory. */
async function digest(fh: FileHandle): Promise<{ sizeBytes: number; sha256: string; head: Uint8Array }> {
  const hash = createHash('sha256');
  const buf = Buffer.alloc(256 * 1024);
  let size = 0;
  let head: Buffer | null = null;
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, size);
    if (bytesRead === 0) break;
    const chunk = buf.subarray(0, bytesRead);
    head ??= Buffer.from(chunk.subarray(0, HEAD_BYTES));
    hash.update(chunk);
    size += bytesRead;
  }
  return { sizeBytes: size, sha256: hash.digest('hex'), head: head ?? Buffer.alloc(0) };
}
