/**
 * Every alert rule has a runbook_url pointing at its own section of docs/runbook.md, and every section of the
 * runbook belongs to an alert and says what it means, what to look at and what to do.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const alerts = (
  parse(readFileSync('ops/alerts.yml', 'utf8')) as {
    groups: { rules: { alert: string; annotations: Record<string, string> }[] }[];
  }
).groups.flatMap((g) => g.rules);
const runbook = readFileSync('docs/runbook.md', 'utf8');
const sections = new Map(
  runbook
    .split(/^## /m)
    .slice(1)
    .map((s) => [s.split('\n')[0]!.trim(), s] as const),
);

describe('runbook', () => {
  it('there are alerts', () => expect(alerts.length).toBeGreaterThan(10));

  it.each(alerts.map((a) => [a.alert, a] as const))('%s has runbook_url to its own section', (name, a) => {
    expect(a.annotations.runbook_url).toBe(`docs/runbook.md#${name.toLowerCase()}`);
    expect(sections.has(name), `docs/runbook.md has no "## ${name}"`).toBe(true);
  });

  it('every section is an alert and has meaning, what to look at and what to do', () => {
    expect([...sections.keys()].sort()).toEqual(alerts.map((a) => a.alert).sort());
    for (const [name, text] of sections) {
      for (const part of ['**Meaning.**', '**Look at.**', '**Do.**'])
        expect(text, `${name}: ${part}`).toContain(part);
    }
  });
});
