/**
 * Document references of rule 4 (the archived form 01 and ID copy): which URIs we accept, which media types,
 * and whether the bytes look like what the media type says.
 *
 * Accepted references, both naming a file under the archive root (`ARCHIVE_DIR`):
 * - `archive://2026/11/form01-REG1.pdf` (the canonical form, stored in archive_records), and
 * - a relative path `2026/11/form01-REG1.pdf`.
 * Refused: any other scheme (`file:`, `http:`, `s3:` …), absolute paths (even inside the root: a message must not
 * depend on where one deployment mounts its archive), `.`/`..`/empty segments (also percent-encoded), backslashes,
 * control characters, and over-long paths.
 */

export const ALLOWED_MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff'] as const;
export type AllowedMediaType = (typeof ALLOWED_MEDIA_TYPES)[number];

const ARCHIVE_SCHEME = 'archive://';
const MAX_KEY_LENGTH = 1024;

export type ParsedUri = { ok: true; key: string; canonicalUri: string } | { ok: false; problem: string };

export function parseArchiveUri(uri: string): ParsedUri {
  const raw = uri.trim();
  if (raw === '') return { ok: false, problem: 'empty reference' };
  let path: string;
  if (raw.startsWith(ARCHIVE_SCHEME)) {
    try {
      path = decodeURIComponent(raw.slice(ARCHIVE_SCHEME.length));
    } catch {
      return { ok: false, problem: 'malformed percent-encoding' };
    }
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(raw)) {
    return { ok: false, problem: `scheme not supported (only ${ARCHIVE_SCHEME} or a relative path)` };
  } else {
    path = raw;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return { ok: false, problem: 'control characters in path' };
  if (path.includes('\\')) return { ok: false, problem: 'backslash in path' };
  if (path.startsWith('/') || path.startsWith('~')) return { ok: false, problem: 'absolute path' };
  if (path.length > MAX_KEY_LENGTH)
    return { ok: false, problem: `path longer than ${MAX_KEY_LENGTH} characters` };
  const segments = path.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return { ok: false, problem: `path segment '${s}' not allowed` };
  }
  const key = segments.join('/');
  return { ok: true, key, canonicalUri: `${ARCHIVE_SCHEME}${segments.map(encodeURIComponent).join('/')}` };
}

/** `image/JPEG; name=x` → `image/jpeg`; null when not on the allow-list. */
export function allowedMediaType(mediaType: string): AllowedMediaType | null {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  return (ALLOWED_MEDIA_TYPES as readonly string[]).includes(base) ? (base as AllowedMediaType) : null;
}

/** Magic numbers: a file declared as PDF must start like a PDF, and so on. */
export function contentMatchesMediaType(head: Uint8Array, mediaType: AllowedMediaType): boolean {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  switch (mediaType) {
    case 'application/pdf':
      return starts(0x25, 0x50, 0x44, 0x46, 0x2d); // %PDF-
    case 'image/jpeg':
      return starts(0xff, 0xd8, 0xff);
    case 'image/png':
      return starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
    case 'image/tiff':
      return starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a); // II*\0 / MM\0*
  }
}

/**
 * Retention end date: `years` after the submission date. A 29 February submission ends on 1 March in a non-leap
 * year, so the document is kept at least the configured number of years.
 */
export function retentionUntil(submittedOn: string, years: number): string {
  const [y, m, d] = submittedOn.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + years, m - 1, d)).toISOString().slice(0, 10);
}
