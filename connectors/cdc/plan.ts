import { createHash } from 'node:crypto';
import { memberBlockingKeys } from '../../src/matching/blocking.js';
import { keyHash } from '../../src/matching/key-hash.js';
import { familyRepresentative, foldName, splitName } from '../../src/matching/normalise.js';
import { preparePerson } from '../../src/matching/prepare.js';
import type { MemberRecord } from '../../src/matching/types.js';
import type { MemberChange } from './events.js';

/**
 * What the search index holds for one member, and how a batch of change events moves it. Pure: the follower
 * (store.ts) loads the states, plans, and writes the plan in one transaction; `hgd verify-index` uses the same
 * `indexEntry` to compute what the index should hold.
 */
export interface IndexEntry {
  /** Name tokens as the frequency tables count them (NameFrequencyCounter): null when not counted. */
  family: string | null;
  given: string | null;
  /** Distinct blocking-key hashes, sorted. */
  keys: string[];
  /** Checksum of `keys`: what verify-index compares per member. */
  digest: string;
}

export function keysDigest(sortedKeys: readonly string[]): string {
  return createHash('sha1').update(sortedKeys.join(',')).digest('hex');
}

export function nameTokens(fullName: string | null | undefined): {
  family: string | null;
  given: string | null;
} {
  if (!fullName) return { family: null, given: null };
  const parts = splitName(foldName(fullName));
  if (!parts.given) return { family: null, given: null };
  return { family: parts.family ? familyRepresentative(parts.family) : null, given: parts.given };
}

export function indexEntry(m: MemberRecord): IndexEntry {
  const p = preparePerson(m);
  const keys = [...new Set(memberBlockingKeys(p).map(keyHash))].sort();
  // The name tokens from the prepared name (nameTokens would fold the name a second time).
  const parts = p.name?.parts;
  const tokens =
    parts && parts.given
      ? { family: parts.family ? familyRepresentative(parts.family) : null, given: parts.given }
      : { family: null, given: null };
  return { ...tokens, keys, digest: keysDigest(keys) };
}

/** A member as the follower last indexed it (hgd_match.cdc_members). */
export interface MemberState {
  memberId: string;
  family: string | null;
  given: string | null;
  digest: string;
  /** Source position of the last streamed change applied; 0 after a snapshot read. */
  lsn: number;
  /** The snapshot that last read this member (its position), null if only ever streamed. */
  snapshotLsn: number | null;
  deleted: boolean;
  /** The member's keys as indexed (sorted; empty when deleted); null when not recorded (rows from before they were). */
  keys: string[] | null;
}

export interface PlannedMember extends MemberState {
  /** Keys to write (empty for a deleted member). */
  keys: string[];
  /** False when the member's keys are the ones already indexed (e.g. a code or relation change): no rewrite. */
  keysChanged: boolean;
  /**
   * When the keys change and the ones indexed are known: the (key, member) rows to delete and to insert, so that
   * only the keys that changed are written. Null: rewrite all the member's keys.
   */
  keyDiff: { removed: string[]; added: string[] } | null;
}

/** The keys of `a` not in `b`, and those of `b` not in `a`, each in its array's order. */
function keyDiff(a: readonly string[], b: readonly string[]): { removed: string[]; added: string[] } {
  const inA = new Set(a);
  const inB = new Set(b);
  return { removed: a.filter((k) => !inB.has(k)), added: b.filter((k) => !inA.has(k)) };
}

export interface BatchPlan {
  /** Final state of every member the batch changed, in first-touch order. */
  members: PlannedMember[];
  /** Net change of each name token count: 'family\u0000token' / 'given\u0000token' → delta. */
  frequencyDeltas: Map<string, number>;
  /** Net change of the number of counted members (those with a given name). */
  totalDelta: number;
  applied: number;
  /** Streamed changes at or before the member's last applied position: already in the index. */
  duplicates: number;
}

function bump(m: Map<string, number>, key: string, by: number): void {
  const v = (m.get(key) ?? 0) + by;
  if (v === 0) m.delete(key);
  else m.set(key, v);
}

function count(deltas: Map<string, number>, s: { family: string | null; given: string | null }, by: number) {
  if (s.given === null) return 0;
  if (s.family !== null) bump(deltas, `family\u0000${s.family}`, by);
  bump(deltas, `given\u0000${s.given}`, by);
  return by;
}

/**
 * Applies `events` (in topic order) to `states` (the stored states of the members they touch). A streamed change
 * is applied only when its position is after the member's last applied one (idempotent by LSN: Connect re-sends
 * changes after a worker restart); snapshot reads always apply (they are the row as of the snapshot).
 */
export function planBatch(
  states: ReadonlyMap<string, MemberState>,
  events: readonly MemberChange[],
): BatchPlan {
  const current = new Map(states);
  const out = new Map<string, PlannedMember>();
  const frequencyDeltas = new Map<string, number>();
  let totalDelta = 0;
  let applied = 0;
  let duplicates = 0;
  for (const e of events) {
    const cur = current.get(e.memberId);
    if (e.snapshot === 'no' && cur !== undefined && e.lsn <= cur.lsn) {
      duplicates++;
      continue;
    }
    const lsn = e.snapshot === 'no' ? e.lsn : 0;
    const snapshotLsn = e.snapshot === 'no' ? (cur?.snapshotLsn ?? null) : e.lsn;
    let next: PlannedMember;
    if (e.after === null) {
      next = {
        memberId: e.memberId,
        family: null,
        given: null,
        digest: '',
        keys: [],
        lsn,
        snapshotLsn,
        deleted: true,
        keysChanged: true,
        keyDiff: null,
      };
    } else {
      const entry = e.entry ?? indexEntry(e.after);
      next = {
        memberId: e.memberId,
        family: entry.family,
        given: entry.given,
        digest: entry.digest,
        keys: entry.keys,
        lsn,
        snapshotLsn,
        deleted: false,
        keysChanged: true,
        keyDiff: null,
      };
    }
    if (cur !== undefined && !cur.deleted) totalDelta += count(frequencyDeltas, cur, -1);
    if (!next.deleted) totalDelta += count(frequencyDeltas, next, 1);
    current.set(e.memberId, next);
    out.delete(e.memberId);
    out.set(e.memberId, next);
    applied++;
  }
  for (const m of out.values()) {
    const was = states.get(m.memberId);
    m.keysChanged = !(was !== undefined && !was.deleted && !m.deleted && was.digest === m.digest);
    if (m.keysChanged && was !== undefined && was.keys !== null) m.keyDiff = keyDiff(was.keys, m.keys);
  }
  return { members: [...out.values()], frequencyDeltas, totalDelta, applied, duplicates };
}
