import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError, isPermanent } from '../../../src/domain/errors.js';

describe('errors', () => {
  it('a permanent error is not retriable and keeps its code, message, cause and details', () => {
    const cause = new Error('inner');
    const e = new PermanentError('VALIDATION_FAILED', 'bad', { cause, details: ['a: b'] });
    expect(e.retriable).toBe(false);
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.name).toBe('PermanentError');
    expect(e.message).toBe('bad');
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual(['a: b']);
    expect(isPermanent(e)).toBe(true);
  });

  it('a permanent error without details has an empty list', () => {
    expect(new PermanentError('DECODE_FAILED', 'x').details).toEqual([]);
  });

  it('a transient error is retriable and not permanent', () => {
    const e = new TransientError('down');
    expect(e.retriable).toBe(true);
    expect(e.code).toBe('TRANSIENT');
    expect(e.name).toBe('TransientError');
    expect(isPermanent(e)).toBe(false);
    expect(isPermanent(new Error('x'))).toBe(false);
  });
});
