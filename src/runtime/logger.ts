import {
  pino,
  stdTimeFunctions,
  destination as pinoDestination,
  type Logger,
  type DestinationStream,
} from 'pino';

/**
 * Logs by allow-list (issue "Hardening", item 5). A field passes only when its name is below, at any depth;
 * any other field keeps its name and loses its value ('[redacted]'), so a new field carrying personal data
 * (a name, an ID number, a BHXH code, a date of birth) cannot leak by being forgotten in a block list. Free-text
 * fields (error messages) pass through `scrubText`, which masks quoted text and digit runs, so a driver's message
 * quoting a value ("Key (bhxh_code)=(0123456789) already exists") does not carry it either.
 */
export const SAFE_FIELDS: ReadonlySet<string> = new Set([
  // identity of the process and its parts
  'service',
  'component',
  'pid',
  'hostname',
  'level',
  'time',
  'msg',
  // Kafka coordinates and our own ids (opaque, not personal)
  'topic',
  'topics',
  'partition',
  'partitions',
  'offset',
  'groupId',
  'group',
  'clientId',
  'broker',
  'eventId',
  'messageId',
  'caseId',
  'registrationId',
  'requestId',
  'memberId',
  'correlationId',
  // outcomes and counts
  'outcome',
  'flow',
  'errorCode',
  'errorClass',
  'code',
  'type',
  'attempt',
  'attempts',
  'failures',
  'transient',
  'restart',
  'consume',
  'port',
  'signal',
  'migrations',
  'count',
  'counts',
  'deleted',
  'anonymised',
  'durationMs',
  'delayMs',
  'size',
  'retryCount',
  'retryTime',
  'timestamp',
  'logger',
  'status',
  'ready',
  // containers whose own fields are checked in turn
  'err',
  'kafkajs',
  'checks',
  'memberAssignment',
  'table',
  'tables',
]);

/** Fields whose values are free text: kept, but scrubbed (scrubText). */
const TEXT_FIELDS: ReadonlySet<string> = new Set(['message', 'error', 'msg']);

/** Containers whose keys are data-driven (topic names, check names): every key passes, values are checked. */
const OPEN_CONTAINERS: ReadonlySet<string> = new Set(['memberAssignment', 'checks', 'counts', 'tables']);

const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

/**
 * Free text without values: quoted or parenthesised parts and runs of 4+ digits are masked, and the text is
 * bounded. Error messages of our code name fields, not values; this guards messages of drivers and libraries.
 */
export function scrubText(s: string, max = 500): string {
  return s
    .slice(0, max * 2)
    .replace(/(["'`«“‘])(?:(?!\1).){0,200}\1/g, '$1…$1')
    .replace(/=\(([^)]*)\)/g, '=(…)')
    .replace(/\d{4,}/g, '#')
    .slice(0, max);
}

function allow(value: unknown, depth: number, open: boolean): unknown {
  if (depth > MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => allow(v, depth + 1, open));
  if (value instanceof Error) return allow(errorFields(value), depth, false);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = field(k, v, depth + 1, open);
    }
    return out;
  }
  return value;
}

function field(key: string, value: unknown, depth: number, open = false): unknown {
  if (TEXT_FIELDS.has(key)) return typeof value === 'string' ? scrubText(value) : allow(value, depth, false);
  if (!open && !SAFE_FIELDS.has(key)) return value === undefined ? undefined : REDACTED;
  if (typeof value === 'string') return open ? scrubText(value, 200) : value;
  return allow(value, depth, OPEN_CONTAINERS.has(key));
}

function errorFields(e: Error): Record<string, unknown> {
  const code = (e as { code?: unknown }).code;
  return { type: e.name, ...(typeof code === 'string' ? { code } : {}), message: e.message };
}

/** The allow-list applied to one log call's fields (exported for tests). */
export function allowListed(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = field(k, v, 0);
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const root = pino(
    {
      level,
      base: { service: 'vss-bridge' },
      timestamp: stdTimeFunctions.isoTime,
      // No serializer after the allow-list: `err` is already reduced to type, code and a scrubbed message.
      serializers: { err: (v: unknown) => v },
      formatters: {
        // Every log call's fields go through the allow-list.
        log: (o) => allowListed(o),
      },
    },
    destination ?? pinoDestination({ dest: 2, sync: false }),
  );
  // Child bindings are not formatted by pino: they go through the allow-list here. Children are created from
  // their parent by prototype, so this one override covers grandchildren too.
  const protoChild = (Object.getPrototypeOf(root) as Logger).child;
  root.child = function (this: Logger, bindings: Record<string, unknown>, options?: object) {
    return protoChild.call(this, allowListed(bindings), options as never);
  } as Logger['child'];
  return root;
}

export type { Logger };
