import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/runtime/config.js';
import { hgdSearchDb } from '../../../src/runtime/connections.js';

const RUNTIME_URL = 'postgres://app:pw@db.example:5432/vss';

describe('HGD_READ_URL (member search on a read replica)', () => {
  it('is optional: unset, search stays on DATABASE_URL', () => {
    const c = loadConfig({ DATABASE_URL: RUNTIME_URL });
    expect(c.hgdReadUrl).toBeNull();
    expect(hgdSearchDb(c)).toBeNull();
  });

  it('when set, member search gets its own connection', async () => {
    const c = loadConfig({
      DATABASE_URL: RUNTIME_URL,
      HGD_READ_URL: 'postgres://app:pw@replica.example:5432/vss',
    });
    expect(c.hgdReadUrl).toBe('postgres://app:pw@replica.example:5432/vss');
    const knex = hgdSearchDb(c);
    expect(knex).not.toBeNull();
    await knex!.destroy();
  });

  it('a malformed value is refused, naming the variable and not the password', () => {
    let problems: string[] = [];
    try {
      loadConfig({ DATABASE_URL: RUNTIME_URL, HGD_READ_URL: 'mysql://app:s3cret@replica/vss' });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems = e.problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^HGD_READ_URL: expected postgres:\/\//);
    expect(problems[0]).not.toContain('s3cret');
  });
});
