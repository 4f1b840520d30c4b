import { describe, expect, it } from 'vitest';
import {
  compareAll,
  compareDob,
  compareNames,
  maskDigits,
  maskName,
  maskPerson,
} from '../../../src/runtime/http/compare.js';
import type { PersonView } from '../../../src/runtime/http/review-port.js';
import { declared } from '../../../src/runtime/http/console-review.js';
import { mergedProvinces } from '../../../src/matching/province.js';

const person = (over: Partial<PersonView> = {}): PersonView => ({
  fullName: 'Nguyễn Văn Hùng',
  dob: '1985-03-12',
  dobPrecision: 'DAY',
  gender: 'M',
  idNumber: '001085012345',
  bhxhCode: '0112345678',
  householdCode: '0100000001',
  householdHead: 'Nguyễn Văn Tâm',
  relationToHead: 'con',
  fatherName: 'Nguyễn Văn Tâm',
  motherName: 'Trần Thị Lan',
  provinceCode: '01',
  provinceCode2025: '01',
  wardCode: null,
  ...over,
});

describe('field-by-field comparison for the case page', () => {
  it('reads names that differ only in diacritics, case or tone placement as spelling variants', () => {
    expect(compareNames('Nguyễn Văn Hùng', 'Nguyễn Văn Hùng')).toBe('same');
    expect(compareNames('NGUYEN VAN HUNG', 'Nguyễn Văn Hùng')).toBe('variant');
    expect(compareNames('Nguyen', 'Nguyễn')).toBe('variant');
    expect(compareNames('Đặng Thị Hoà', 'Dang Thi Hòa')).toBe('variant');
    expect(compareNames('Lê Thị Hoa', 'Lê Thị Hòa')).toBe('variant');
    expect(compareNames('Nguyễn Văn Hùng', 'Nguyễn Văn Hưng')).toBe('variant');
    expect(compareNames('Nguyễn Văn Hùng', 'Trần Văn Hùng')).toBe('different');
  });

  it('compares dates of birth at the coarser precision', () => {
    expect(compareDob('1985-03-12', '1985-03-12')).toBe('same');
    expect(compareDob('1985', '1985-03-12')).toBe('variant');
    expect(compareDob('1985-04', '1985-03-12')).toBe('different');
  });

  it('marks every field of a record', () => {
    const cmp = compareAll(
      person({ fullName: 'Nguyen Van Hung', bhxhCode: null, idNumber: '001085099999' }),
      person(),
    );
    expect(cmp).toMatchObject({
      fullName: 'variant',
      dob: 'same',
      gender: 'same',
      idNumber: 'different',
      bhxhCode: 'missing',
      wardCode: 'missing',
      provinceCode: 'same',
    });
  });

  it('reads an old province code and its 2025 successor as a variant', () => {
    const merged = mergedProvinces().find((p) => p.mergedFrom.some((old) => old !== p.code))!;
    const old = merged.mergedFrom.find((o) => o !== merged.code)!;
    const cmp = compareAll(person({ provinceCode: old }), person({ provinceCode: merged.code }));
    expect(cmp.provinceCode).toBe('variant');
    const other = mergedProvinces().find((p) => p.code !== merged.code)!;
    expect(compareAll(person({ provinceCode: old }), person({ provinceCode: other.code })).provinceCode).toBe(
      'different',
    );
  });
});

describe('masking for the viewer role', () => {
  it('keeps initials, the birth year and the last digits only', () => {
    expect(maskName('Nguyễn Văn Hùng')).toBe('N. V. H.');
    expect(maskName('Đặng thị hà')).toBe('Đ. T. H.');
    expect(maskDigits('001085012345')).toBe('•••••••••345');
    const m = maskPerson(person());
    expect(m.fullName).toBe('N. V. H.');
    expect(m.dob).toBe('198•-••-••');
    expect(m.bhxhCode).toBe('•••••••678');
    expect(JSON.stringify(m)).not.toMatch(/Nguyễn|Trần|001085012345|0112345678/);
  });
});

describe('the declaration of each kind of stored request', () => {
  it('reads a Defence lookup, an adult and a child registration', () => {
    const d = declared('DEFENCE_CODE_MAPPING', {
      person: {
        fullName: 'Trần Thị Mai',
        dateOfBirth: { value: '1990', precision: 'YEAR' },
        gender: 'FEMALE',
        idNumber: null,
        provinceCode: '01',
        fatherName: 'Trần Văn Nam',
      },
    });
    expect(d).toMatchObject({ fullName: 'Trần Thị Mai', dob: '1990', dobPrecision: 'YEAR', gender: 'F' });
    const a = declared('ADULT_REGISTRATION', {
      person: { fullName: 'Lê Văn A', dateOfBirth: '1970-01-02', gender: 'MALE', provinceCode: '79' },
      idDocument: { number: '079070000001' },
    });
    expect(a).toMatchObject({
      dob: '1970-01-02',
      dobPrecision: 'DAY',
      idNumber: '079070000001',
      gender: 'M',
    });
    const c = declared('CHILD_REGISTRATION', {
      child: {
        fullName: 'Lê Bảo An',
        dateOfBirth: '2020-05-06',
        gender: 'FEMALE',
        personalIdNumber: '001320000001',
      },
      birthCertificate: { fatherName: 'Lê Văn A', motherName: 'Phạm Thị B', registrationProvinceCode: '01' },
      parent: { householdCode: '0100000009' },
    });
    expect(c).toMatchObject({
      fullName: 'Lê Bảo An',
      idNumber: '001320000001',
      fatherName: 'Lê Văn A',
      householdCode: '0100000009',
      provinceCode: '01',
    });
  });
});
