import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { allowListed, createLogger, scrubText } from '../../../src/runtime/logger.js';

function capture(): { lines: string[]; dest: Writable } {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, dest };
}

describe('logger: allow-list', () => {
  it('keeps named safe fields at any depth and redacts every other value, however deep', () => {
    const deep = { a: { b: { c: { d: { e: { fullName: 'Nguyễn Văn An' } } } } } };
    const out = allowListed({
      topic: 't',
      partition: 1,
      eventId: 'e-1',
      idDocument: { number: '001187004512' },
      idCardNumber: '001187004512',
      staffBqpCode: '9712300011',
      householdCode: '0100000001',
      deep,
      err: { type: 'X', message: 'nothing here' },
    });
    expect(out).toMatchObject({
      topic: 't',
      partition: 1,
      eventId: 'e-1',
      err: { type: 'X', message: 'nothing here' },
    });
    const text = JSON.stringify(out);
    for (const v of ['001187004512', '9712300011', '0100000001', 'Nguyễn']) expect(text).not.toContain(v);
    expect(out.idDocument).toBe('[redacted]');
  });

  it('error messages are scrubbed of quoted values and digit runs', () => {
    expect(
      scrubText(
        'duplicate key value violates unique constraint: Key (bhxh_code)=(0123456789) already exists',
      ),
    ).not.toContain('0123456789');
    expect(scrubText("person.fullName 'Trần Thị Bình' is bad")).not.toContain('Trần');
    const { lines, dest } = capture();
    const log = createLogger('info', dest as never);
    log
      .child({ component: 'c', fullName: 'Lê Văn A' })
      .error({ err: new Error('member "Lê Văn A" born 1990-01-02') }, 'failed');
    const line = lines.join('');
    expect(line).toContain('"component":"c"');
    expect(line).not.toContain('Lê Văn A');
    expect(line).not.toContain('1990');
  });
});
