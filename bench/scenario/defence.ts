/**
 * A seeded Defence scenario for the crash test, the end-to-end benchmark and the demo: a synthetic HGD and
 * CodeLookupFailed events derived from its members (with declaration errors) plus people not in HGD.
 * Each member is the subject of at most one event, and every event carries its own BQP code.
 */
import type { Kafka } from 'kafkajs';
import type { AvroCodec } from '../../connectors/registry/codec.js';
import { deterministicUuid } from '../../src/domain/ids.js';
import { validateRecord } from '../../src/domain/validation.js';
import type { CodeLookupFailed } from '../../src/contracts/generated.js';
import type { MemberRecord, PersonQuery } from '../../src/matching/types.js';
import { generateHgd, generateQueries, type GeneratedPerson, type QueryTruth } from '../generator/index.js';

export interface DefenceScenario {
  people: GeneratedPerson[];
  members: MemberRecord[];
  events: CodeLookupFailed[];
  truth: QueryTruth[];
}

const PRECISION = { 4: 'YEAR', 7: 'MONTH', 10: 'DAY' } as const;

export function toCodeLookupFailed(
  q: PersonQuery,
  index: number,
  seed: number,
  bqpCode: string,
): CodeLookupFailed {
  const dob = q.dob ?? '';
  return {
    eventId: deterministicUuid('scenario', String(seed), String(index)),
    occurredAt: new Date(),
    requestId: `REQ-${seed}-${String(index).padStart(7, '0')}`,
    person: {
      fullName: q.fullName,
      dateOfBirth: { value: dob, precision: PRECISION[dob.length as 4 | 7 | 10] ?? 'UNKNOWN' },
      gender: q.gender === 'M' ? 'MALE' : q.gender === 'F' ? 'FEMALE' : 'UNKNOWN',
      idNumber: q.idNumber,
      bhxhCode: null,
      provinceCode: q.provinceCode,
      wardCode: q.wardCode ?? null,
      fatherName: q.fatherName,
      motherName: q.motherName,
    },
    bqpCode,
    bqpUnit: { unitCode: `BQP-${(index % 40) + 1}`, unitName: null },
    staffRelation: index % 3 === 0 ? 'SELF' : index % 3 === 1 ? 'SPOUSE' : 'CHILD',
    staffBqpCode: null,
  };
}

export function buildDefenceScenario(opts: {
  seed: number;
  members: number;
  events: number;
}): DefenceScenario {
  const people = [...generateHgd({ seed: opts.seed, members: opts.members })];
  const members = people.map((p) => p.member);
  // Ask for more queries than needed, keep one per member (so each member's code changes at most once).
  const { queries, truth } = generateQueries(people, {
    seed: opts.seed + 1,
    count: Math.ceil(opts.events * 1.6),
  });
  const usedCodes = new Set(members.map((m) => m.bhxhCode));
  const seen = new Set<string>();
  const events: CodeLookupFailed[] = [];
  const keptTruth: QueryTruth[] = [];
  let serial = 0;
  for (let i = 0; i < queries.length && events.length < opts.events; i++) {
    const t = truth[i]!;
    if (t.memberId !== null) {
      if (seen.has(t.memberId)) continue;
      seen.add(t.memberId);
    }
    const candidate = toCodeLookupFailed(queries[i]!, events.length, opts.seed, '9700000000');
    // A declaration error can make an impossible date (a swapped 31 February): that is bad input for the
    // dead-letter topic, not a good event, so scenarios of good events leave it out.
    if (validateRecord('CodeLookupFailed', candidate).length > 0) continue;
    let code: string;
    do code = `97${String((opts.seed * 7919 + ++serial * 104_729) % 100_000_000).padStart(8, '0')}`;
    while (usedCodes.has(code));
    usedCodes.add(code);
    events.push(toCodeLookupFailed(queries[i]!, events.length, opts.seed, code));
    keptTruth.push(t);
  }
  return { people, members, events, truth: keptTruth };
}

/** Produces the scenario's CodeLookupFailed events to `topic` in chunks, keyed by request id (acks from all replicas). */
export async function produceLookups(
  kafka: Kafka,
  codec: AvroCodec,
  topic: string,
  events: readonly CodeLookupFailed[],
  /** Paced production: `chunk` events every `everyMs` ms (default: as fast as the broker takes them). */
  pace?: { chunk: number; everyMs: number },
): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const chunkSize = pace?.chunk ?? 500;
  try {
    for (let i = 0; i < events.length; i += chunkSize) {
      const due = Date.now() + (pace?.everyMs ?? 0);
      const chunk = events.slice(i, i + chunkSize);
      const messages = await Promise.all(
        chunk.map(async (e) => ({ key: e.requestId, value: await codec.encode(topic, e) })),
      );
      await producer.send({ topic, acks: -1, messages });
      if (pace && due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
  } finally {
    await producer.disconnect();
  }
}
