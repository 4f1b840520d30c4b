import type { Command } from 'commander';
import type { DeadLetter } from '../../contracts/generated.js';
import { loadConfig } from '../../runtime/config.js';
import { dlqTopics, parseSince, readDeadLetters } from './dlq-read.js';

/** One dead letter as shown: where it came from and why, with personal data masked. */
export interface DeadLetterSample {
  dlqPartition: number;
  dlqOffset: string;
  occurredAt: string;
  source: string;
  errorCode: string;
  errorClass: string;
  attempts: number;
  /** errorMessage with quoted values and long digit runs masked. */
  reason: string;
  /** The original key masked: only its length is shown (keys may be BHXH codes). */
  key: string;
  /** Size and schema id of the original value; the value itself is never decoded here. */
  value: string;
  headers: string[];
}

/**
 * Masks what could be personal data in a dead-letter reason: quoted text ('…' or "…"), runs of 4+ digits
 * (ID numbers, BHXH codes, dates), and anything that looks like a date. Field paths and reason codes stay.
 */
export function maskReason(s: string): string {
  return s
    .replace(/'[^']*'|"[^"]*"|“[^”]*”/g, "'…'")
    .replace(/\d{4}-\d{2}(-\d{2})?/g, '••••-••')
    .replace(/\d{4,}/g, (m) => '•'.repeat(Math.min(m.length, 12)));
}

export function maskKey(key: Buffer | null): string {
  return key === null ? '(none)' : `(${key.length} bytes, masked)`;
}

function describeValue(v: Buffer | null): string {
  if (v === null) return '(null)';
  if (v.length >= 5 && v[0] === 0) return `${v.length} bytes, schema id ${v.readUInt32BE(1)}`;
  return `${v.length} bytes, not wire format`;
}

export function toSample(dl: DeadLetter, partition: number, offset: string): DeadLetterSample {
  return {
    dlqPartition: partition,
    dlqOffset: offset,
    occurredAt: dl.occurredAt.toISOString(),
    source: `${dl.sourceTopic}[${dl.sourcePartition}]@${dl.sourceOffset}`,
    errorCode: dl.errorCode,
    errorClass: dl.errorClass,
    attempts: dl.attempts,
    reason: maskReason(dl.errorMessage),
    key: maskKey(dl.originalKey),
    value: describeValue(dl.originalValue),
    headers: dl.headers.map((h) => h.key),
  };
}

/** `vss-bridge dlq list`: added to the `dlq` command of dlq.ts. */
export function register(program: Command): void {
  const dlq = program.commands.find((c) => c.name() === 'dlq');
  if (!dlq) throw new Error('dlq list: the dlq command is not registered');
  dlq
    .command('list')
    .description(
      'dead letters of a topic: counts by reason code and a few samples per reason (personal data masked); reads <topic>.dlq from the beginning, commits nothing',
    )
    .requiredOption('--topic <topic>', 'the source topic (its dead letters are in <topic>.dlq)')
    .option('--reason <code>', 'only this reason code (errorCode), e.g. VALIDATION_FAILED')
    .option('--since <time>', 'only dead letters at or after this ISO time')
    .option('--samples <n>', 'samples shown per reason', '3')
    .option('--json', 'print JSON')
    .action(
      async (o: { topic: string; reason?: string; since?: string; samples: string; json?: boolean }) => {
        const config = loadConfig();
        const { dlqTopic } = dlqTopics(o.topic);
        const since = parseSince(o.since);
        const perReason = Number(o.samples);
        if (!Number.isInteger(perReason) || perReason < 0)
          throw new Error('--samples: expected a whole number ≥ 0');

        const counts = new Map<string, number>();
        const samples = new Map<string, DeadLetterSample[]>();
        let total = 0;
        let unreadable = 0;
        const { exists } = await readDeadLetters(config, dlqTopic, 'dlq-list', (dl, partition, offset) => {
          if (dl === null) unreadable++;
          else if (
            (since === null || dl.occurredAt.getTime() >= since) &&
            (o.reason === undefined || dl.errorCode === o.reason)
          ) {
            total++;
            counts.set(dl.errorCode, (counts.get(dl.errorCode) ?? 0) + 1);
            const list = samples.get(dl.errorCode) ?? [];
            if (list.length < perReason) list.push(toSample(dl, partition, offset));
            samples.set(dl.errorCode, list);
          }
        });
        const reasons = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify({
              topic: dlqTopic,
              total,
              unreadable,
              byReason: Object.fromEntries(reasons),
              samples: Object.fromEntries(reasons.map(([r]) => [r, samples.get(r) ?? []])),
            })}\n`,
          );
          return;
        }
        const filters = [o.reason && `reason ${o.reason}`, o.since && `since ${o.since}`].filter(Boolean);
        process.stdout.write(
          `${dlqTopic}: ${total} dead letter(s)${filters.length ? ` (${filters.join(', ')})` : ''}${unreadable ? `; ${unreadable} unreadable record(s)` : ''}${exists ? '' : ' (topic does not exist)'}\n`,
        );
        for (const [reason, n] of reasons)
          process.stdout.write(`  ${reason.padEnd(20)} ${String(n).padStart(8)}\n`);
        for (const [reason] of reasons) {
          const list = samples.get(reason) ?? [];
          if (list.length === 0) continue;
          process.stdout.write(`\n${reason}, ${list.length} sample(s):\n`);
          for (const s of list) {
            process.stdout.write(
              `  ${s.occurredAt}  ${dlqTopic}[${s.dlqPartition}]@${s.dlqOffset}  from ${s.source}  ${s.errorClass}, ${s.attempts} attempt(s)\n` +
                `    reason: ${s.reason}\n    key: ${s.key}; value: ${s.value}; headers: ${s.headers.join(', ') || '(none)'}\n`,
            );
          }
        }
      },
    );
}
