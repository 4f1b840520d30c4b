/**
 * Archive documents (issue "Hardening", item 6): opened once by descriptor, never through a hard link that could
 * name a file outside the root, never blocking on a FIFO.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsDocumentStore } from '../../connectors/archive/fs-document-store.js';

describe('archive documents: opened once, by descriptor, with one link', () => {
  let base: string;
  let root: string;
  let store: FsDocumentStore;
  const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1000, 1)]);
  const SECRET = Buffer.from('%PDF-1.7\nsomeone else’s papers');

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'vss-archive-sec-'));
    root = path.join(base, 'archive');
    await mkdir(path.join(root, '2026/11'), { recursive: true });
    await writeFile(path.join(root, '2026/11/form01.pdf'), PDF);
    await writeFile(path.join(base, 'secret.pdf'), SECRET);
    // A hard link is the same file under a second name: here, a name inside the root for a file outside it.
    await link(path.join(base, 'secret.pdf'), path.join(root, '2026/11/hardlink-out.pdf'));
    await writeFile(path.join(root, '2026/11/twice.pdf'), PDF);
    await link(path.join(root, '2026/11/twice.pdf'), path.join(root, '2026/11/twice-again.pdf'));
    await symlink(path.join(base, 'secret.pdf'), path.join(root, '2026/11/symlink-out.pdf'));
    execFileSync('mkfifo', [path.join(root, '2026/11/fifo.pdf')]);
    store = new FsDocumentStore(root);
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('a hard link out of the archive root is refused (outside_root), its bytes never hashed', async () => {
    const r = await store.inspect('2026/11/hardlink-out.pdf', { expectedSize: SECRET.length });
    expect(r).toEqual({ status: 'outside_root' });
  });

  it('any file with a second link is refused: which name is the archive’s cannot be told', async () => {
    expect((await store.inspect('2026/11/twice.pdf')).status).toBe('outside_root');
  });

  it('a symbolic link out of the root is refused', async () => {
    expect((await store.inspect('2026/11/symlink-out.pdf')).status).toBe('outside_root');
  });

  it('a FIFO does not block the consumer: not a document', async () => {
    const t0 = Date.now();
    expect((await store.inspect('2026/11/fifo.pdf')).status).toBe('not_found');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('an ordinary document: size, first bytes and SHA-256 from the same descriptor', async () => {
    const r = await store.inspect('2026/11/form01.pdf', { expectedSize: PDF.length });
    expect(r).toEqual({
      status: 'found',
      sizeBytes: PDF.length,
      sha256: createHash('sha256').update(PDF).digest('hex'),
      head: PDF.subarray(0, 16),
    });
  });
});
