import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsDocumentStore } from '../../../../connectors/archive/fs-document-store.js';

describe('FsDocumentStore', () => {
  let base: string;
  let root: string;
  let store: FsDocumentStore;
  const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(700_000, 7)]);

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'vss-archive-'));
    root = path.join(base, 'archive');
    await mkdir(path.join(root, '2026/03'), { recursive: true });
    await writeFile(path.join(root, '2026/03/form01.pdf'), PDF);
    await writeFile(path.join(base, 'secret.txt'), 'outside');
    await symlink(path.join(base, 'secret.txt'), path.join(root, '2026/03/escape.pdf'));
    await symlink(path.join(root, '2026/03/form01.pdf'), path.join(root, '2026/03/inside-link.pdf'));
    await writeFile(path.join(root, '2026/03/locked.pdf'), 'x');
    await chmod(path.join(root, '2026/03/locked.pdf'), 0o000);
    store = new FsDocumentStore(root);
  });
  afterAll(async () => {
    await chmod(path.join(root, '2026/03/locked.pdf'), 0o600).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  });

  it('streams the digest, size and first bytes of a file', async () => {
    const r = await store.inspect('2026/03/form01.pdf');
    expect(r).toEqual({
      status: 'found',
      sizeBytes: PDF.length,
      sha256: createHash('sha256').update(PDF).digest('hex'),
      head: PDF.subarray(0, 16),
    });
  });

  it('skips the digest when the size already disagrees', async () => {
    const r = await store.inspect('2026/03/form01.pdf', { expectedSize: 5 });
    expect(r).toMatchObject({ status: 'found', sizeBytes: PDF.length, sha256: null });
  });

  it.each([
    ['a missing file', '2026/03/none.pdf', 'not_found'],
    ['a missing directory', '2027/01/none.pdf', 'not_found'],
    ['a directory', '2026/03', 'not_found'],
    ['traversal (refused even if a caller forgot to check)', '../secret.txt', 'outside_root'],
    ['deep traversal', '../../../../etc/passwd', 'outside_root'],
    ['an absolute path', '/etc/passwd', 'outside_root'],
    ['a symbolic link out of the root', '2026/03/escape.pdf', 'outside_root'],
  ])('%s → %s', async (_l, key, status) => {
    expect((await store.inspect(key)).status).toBe(status);
  });

  it('follows a symbolic link that stays inside the root', async () => {
    expect((await store.inspect('2026/03/inside-link.pdf')).status).toBe('found');
  });

  it.skipIf(process.getuid?.() === 0)('a file we may not read is unreadable, not missing', async () => {
    expect(await store.inspect('2026/03/locked.pdf')).toEqual({ status: 'unreadable', detail: 'EACCES' });
  });

  it('a root that does not exist is an outage (transient), not a rejection', async () => {
    const gone = new FsDocumentStore(path.join(base, 'no-such-root'));
    await expect(gone.inspect('a.pdf')).rejects.toMatchObject({ retriable: true });
  });
});
