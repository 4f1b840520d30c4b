/**
 * `vss-bridge validate`: the real command in a child process, with the broker, registry and database pointed at
 * closed ports (it must need none of them).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMessageJson } from '../../../connectors/registry/message-check.js';
import { SCHEMAS_DIR } from '../../../src/contracts/schemas.js';

const EXAMPLES = join(SCHEMAS_DIR, 'examples');
const NOWHERE = {
  KAFKA_BROKERS: '127.0.0.1:1',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
  DATABASE_URL: 'postgres://x:y@127.0.0.1:1/none',
  TOPIC_PREFIX: '',
};

function validate(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['bin/vss-bridge.mjs', 'validate', ...args], {
    env: { ...process.env, ...NOWHERE },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const example = (topic: string) =>
  JSON.parse(readFileSync(join(EXAMPLES, `${topic}.json`), 'utf8')) as Record<string, unknown>;

describe('vss-bridge validate', () => {
  it.each(readdirSync(EXAMPLES).map((f) => [f.replace(/\.json$/, '')]))('%s example → exit 0', (topic) => {
    const r = validate(['--topic', topic, join(EXAMPLES, `${topic}.json`)]);
    expect(r.out).toMatch(/^valid /);
    expect(r.status).toBe(0);
  });

  it('a bad CCCD → exit 1 naming the field and the reason code, without the value', () => {
    const msg = example('vssid.child-registration.submitted') as { child: { personalIdNumber: string } };
    msg.child.personalIdNumber = '079316X98765';
    const r = validate(['--topic', 'vssid.child-registration.submitted', '-'], JSON.stringify(msg));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/child\.personalIdNumber\s+INVALID_FORMAT/);
    expect(r.out).not.toContain('079316X98765');
  });

  it('lists every problem: Avro (missing, wrong type, unknown field) and content rules, as JSON with --json', () => {
    const msg = example('vssid.code-lookup.failed') as Record<string, unknown> & {
      person: Record<string, unknown>;
    };
    delete msg.requestId;
    msg.bqpUnit = 'QK1';
    msg.surprise = true;
    msg.person.idNumber = '12345';
    msg.person.fullName = 'Nguyễn\u0007Văn A';
    const r = validate(['--json', '--topic', 'vssid.code-lookup.failed', '-'], JSON.stringify(msg));
    expect(r.status).toBe(1);
    const report = JSON.parse(r.out) as { valid: boolean; problems: { field: string; code: string }[] };
    expect(report.valid).toBe(false);
    expect(report.problems.map((p) => `${p.field} ${p.code}`).sort()).toEqual(
      [
        'requestId MISSING',
        'bqpUnit WRONG_TYPE',
        'surprise UNKNOWN_FIELD',
        'person.idNumber INVALID_FORMAT',
        'person.fullName CONTROL_CHARACTERS',
      ].sort(),
    );
    expect(r.out).not.toContain('12345');
    expect(r.out).not.toContain('Nguyễn');
  });

  it('a topic name with TOPIC_PREFIX is accepted; an unknown topic or a missing file is a usage error (2)', () => {
    const file = join(EXAMPLES, 'vssid.code-lookup.failed.json');
    const prefixed = spawnSync(
      process.execPath,
      ['bin/vss-bridge.mjs', 'validate', '--topic', 'dev.vssid.code-lookup.failed', file],
      { env: { ...process.env, ...NOWHERE, TOPIC_PREFIX: 'dev.' }, encoding: 'utf8' },
    );
    expect(prefixed.status).toBe(0);
    expect(validate(['--topic', 'no.such.topic', file]).status).toBe(2);
    expect(validate(['--topic', 'vssid.code-lookup.failed', '/nonexistent.json']).status).toBe(2);
  });
});

describe('checkMessageJson', () => {
  it('not JSON: one problem, and none of the text repeated', () => {
    expect(checkMessageJson('CodeLookupFailed', '{"fullName": "Trần Thị B"')).toEqual([
      { field: '(message)', code: 'NOT_JSON', check: 'avro', message: 'not valid JSON' },
    ]);
  });

  it('an optional field may be left out (its default applies); a nested field of the wrong type is named', () => {
    const msg = example('vssid.code-lookup.failed') as Record<string, unknown> & {
      person: { dateOfBirth: Record<string, unknown> };
    };
    delete msg.staffBqpCode;
    msg.person.dateOfBirth.precision = 'DECADE';
    expect(checkMessageJson('CodeLookupFailed', JSON.stringify(msg))).toEqual([
      {
        field: 'person.dateOfBirth.precision',
        code: 'WRONG_TYPE',
        check: 'avro',
        message: 'expected one of DAY, MONTH, YEAR, UNKNOWN',
      },
    ]);
  });
});
