import { describe, expect, it } from 'vitest';
import {
  allowedMediaType,
  contentMatchesMediaType,
  parseArchiveUri,
  retentionUntil,
} from '../../../../src/flows/adult-registration/documents.js';

describe('parseArchiveUri', () => {
  it.each([
    [
      'archive URI',
      'archive://2026/11/form01-REG1.pdf',
      '2026/11/form01-REG1.pdf',
      'archive://2026/11/form01-REG1.pdf',
    ],
    [
      'relative path',
      '2026/11/form01-REG1.pdf',
      '2026/11/form01-REG1.pdf',
      'archive://2026/11/form01-REG1.pdf',
    ],
    [
      'percent-encoded space',
      'archive://2026/form%2001.pdf',
      '2026/form 01.pdf',
      'archive://2026/form%2001.pdf',
    ],
    [
      'Vietnamese file name',
      'archive://2026/tờ-khai.pdf',
      '2026/tờ-khai.pdf',
      'archive://2026/t%E1%BB%9D-khai.pdf',
    ],
  ])('accepts %s', (_l, uri, key, canonical) => {
    expect(parseArchiveUri(uri)).toEqual({ ok: true, key, canonicalUri: canonical });
  });

  it.each([
    ['traversal', '../../etc/passwd'],
    ['traversal inside an archive URI', 'archive://../../etc/passwd'],
    ['traversal in the middle', 'archive://2026/../../etc/passwd'],
    ['percent-encoded traversal', 'archive://..%2F..%2Fetc%2Fpasswd'],
    ['absolute path', '/etc/passwd'],
    ['absolute archive URI', 'archive:///etc/passwd'],
    ['home directory', '~/secret.pdf'],
    ['file URI', 'file:///etc/passwd'],
    ['http URL', 'http://evil.example/form.pdf'],
    ['Windows drive', 'C:\\Windows\\win.ini'],
    ['backslash traversal', '..\\..\\etc\\passwd'],
    ['NUL byte', 'archive://2026/a.pdf\u0000.jpg'],
    ['empty segment', 'archive://2026//a.pdf'],
    ['dot segment', 'archive://./a.pdf'],
    ['empty', '  '],
    ['malformed percent-encoding', 'archive://%E0%A4%A'],
    ['too long', `archive://${'a/'.repeat(600)}x.pdf`],
  ])('refuses %s', (_l, uri) => {
    expect(parseArchiveUri(uri).ok).toBe(false);
  });
});

describe('allowedMediaType', () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['image/JPEG', 'image/jpeg'],
    ['image/png; charset=binary', 'image/png'],
    ['image/tiff', 'image/tiff'],
    ['image/gif', null],
    ['text/html', null],
    ['application/x-msdownload', null],
    ['application/pdfx', null],
  ])('%s → %s', (mt, expected) => {
    expect(allowedMediaType(mt)).toBe(expected);
  });
});

describe('contentMatchesMediaType', () => {
  it.each([
    ['%PDF-1.7', 'application/pdf', true],
    ['\xff\xd8\xff\xe0', 'image/jpeg', true],
    ['\x89PNG\r\n\x1a\n', 'image/png', true],
    ['II*\x00', 'image/tiff', true],
    ['MM\x00*', 'image/tiff', true],
    ['<html>', 'application/pdf', false],
    ['%PDF-1.7', 'image/jpeg', false],
    ['', 'image/png', false],
  ] as const)('%j as %s → %s', (bytes, mt, ok) => {
    expect(contentMatchesMediaType(Buffer.from(bytes, 'latin1'), mt)).toBe(ok);
  });
});

describe('retentionUntil', () => {
  it.each([
    ['2026-03-02', 10, '2036-03-02'],
    ['2026-12-31', 1, '2027-12-31'],
    // A leap-day submission is kept at least the full number of years: 1 March.
    ['2024-02-29', 10, '2034-03-01'],
    ['2024-02-29', 4, '2028-02-29'],
  ] as const)('%s + %d years → %s', (on, years, until) => {
    expect(retentionUntil(on, years)).toBe(until);
  });
});

describe('parseArchiveUri at its edges', () => {
  it('a colon inside a relative path is no scheme', () => {
    expect(parseArchiveUri('2026/11/form:01.pdf')).toEqual({
      ok: true,
      key: '2026/11/form:01.pdf',
      canonicalUri: 'archive://2026/11/form%3A01.pdf',
    });
  });
  it.each([
    ['a data URI', 'data:application/pdf;base64,JVBERi0='],
    ['a one-letter scheme without slashes', 's3:bucket/form.pdf'],
    ['a scheme with digits, plus, dot and dash', 'x-a1+b.c:form.pdf'],
  ])('refuses %s as another scheme', (_l, uri) => {
    expect(parseArchiveUri(uri)).toEqual({
      ok: false,
      problem: 'scheme not supported (only archive:// or a relative path)',
    });
  });
  it('a path of exactly 1,024 characters is accepted, one more is refused', () => {
    const name = (n: number) => `2026/${'a'.repeat(n - 9)}.pdf`;
    expect(name(1024)).toHaveLength(1024);
    expect(parseArchiveUri(name(1024)).ok).toBe(true);
    expect(parseArchiveUri(`archive://${name(1024)}`).ok).toBe(true);
    expect(parseArchiveUri(name(1025))).toEqual({ ok: false, problem: 'path longer than 1024 characters' });
  });
  it('spaces around the reference are ignored; an empty one is refused as empty', () => {
    expect(parseArchiveUri('  2026/a.pdf \n')).toMatchObject({ ok: true, key: '2026/a.pdf' });
    expect(parseArchiveUri(' ')).toEqual({ ok: false, problem: 'empty reference' });
  });
});

describe('allowedMediaType: parameters and spaces', () => {
  it.each([
    [' image/png ', 'image/png'],
    ['image/png ; charset=binary', 'image/png'],
    ['APPLICATION/PDF;x=1', 'application/pdf'],
  ])('%j → %s', (mt, expected) => {
    expect(allowedMediaType(mt)).toBe(expected);
  });
});

describe('contentMatchesMediaType: every byte of the signature counts', () => {
  it.each([
    ['%!PS-Adobe', 'application/pdf'], // first byte of %PDF- only
    ['%PDF1.7', 'application/pdf'], // no dash
    ['\xff\xd8\x00', 'image/jpeg'],
    ['\x89PNG\r\n\x1a\x00', 'image/png'],
    ['II*\x01', 'image/tiff'],
    ['MM\x00+', 'image/tiff'],
    ['IM\x00*', 'image/tiff'],
  ] as const)('%j is not %s', (bytes, mt) => {
    expect(contentMatchesMediaType(Buffer.from(bytes, 'latin1'), mt)).toBe(false);
  });
});
