import { describe, expect, it } from 'vitest';
import { canonicalName, foldName } from '../../../src/matching/normalise.js';

describe('foldName', () => {
  it.each([
    ['NFC input', 'Nguyễn Văn Đức', 'nguyen van duc'],
    ['NFD input', 'Nguyễn Văn Đức'.normalize('NFD'), 'nguyen van duc'],
    ['ASCII input', 'Nguyen Van Duc', 'nguyen van duc'],
    ['upper case', 'NGUYỄN VĂN ĐỨC', 'nguyen van duc'],
    ['doubled and edge spaces', '  Nguyễn   Văn  Đức ', 'nguyen van duc'],
    ['Đ (U+0110)', 'Đặng', 'dang'],
    ['Ð (U+00D0, Eth) typed for Đ', '\u00D0ặng', 'dang'],
    ['đ lower', 'đào', 'dao'],
    ['Hoà vs Hòa', 'Hoà', 'hoa'],
    ['Thuỷ vs Thủy', 'Thuỷ', 'thuy'],
    ['Quý/Quí spelling pair', 'Quý', 'qui'],
    ['Lý/Lí spelling pair', 'Lí', 'li'],
  ])('%s', (_label, input, expected) => {
    expect(foldName(input)).toBe(expected);
  });
});

describe('canonicalName keeps diacritics but unifies tone placement', () => {
  it.each([
    ['Hoà', 'Hòa'],
    ['Thuỷ', 'Thủy'],
    ['Thuý', 'Thúy'],
    ['HOÀ', 'hòa'],
    ['Hoà'.normalize('NFD'), 'Hòa'],
  ])('%s ≡ %s', (a, b) => {
    expect(canonicalName(a)).toBe(canonicalName(b));
  });
  it.each([
    ['Hùng', 'Hưng'],
    ['Hoàng', 'Hòang'],
  ])('%s ≠ %s', (a, b) => {
    expect(canonicalName(a)).not.toBe(canonicalName(b));
  });
  it('does not move a tone before a final consonant', () => {
    expect(canonicalName('Hoàng')).toBe('hoàng');
  });
});
