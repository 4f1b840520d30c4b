/**
 * The document archive as the adult-registration flow sees it. Keys are relative, '/'-separated paths already
 * checked by `parseArchiveUri` (no '..', not absolute); an implementation must still refuse anything that
 * resolves outside its root (symbolic links), and report it as `outside_root` rather than reading it.
 */
export type DocumentInspection =
  | {
      status: 'found';
      sizeBytes: number;
      /** Lower-case hex SHA-256 of the bytes; null when not computed because the size already disagrees. */
      sha256: string | null;
      /** The first bytes (up to 16), to check the declared media type against the content. */
      head: Uint8Array;
    }
  | { status: 'not_found' }
  | { status: 'outside_root' }
  /** Exists but cannot be read by us (permissions): our problem, not the registrant's. */
  | { status: 'unreadable'; detail: string };

export interface DocumentStore {
  /**
   * Looks a document up and digests it (streaming). `expectedSize`: when the size on disk differs, the digest is
   * skipped (the answer is already "no"). Infrastructure failures (I/O errors) throw a TransientError.
   */
  inspect(key: string, opts?: { expectedSize?: number }): Promise<DocumentInspection>;
}
