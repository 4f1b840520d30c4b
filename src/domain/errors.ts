/**
 * Errors are types with a code and a retriable flag: the runtime decides by class, never by
 * parsing messages. Permanent errors (bad input) send the message to the dead-letter topic; transient
 * errors (broker, registry or database outage) are retried with backoff and never skipped.
 */
export type ErrorCode =
  | 'DECODE_FAILED' // not our wire format: empty, wrong magic byte, truncated, not Avro
  | 'UNKNOWN_SCHEMA' // the registry does not know the writer schema id
  | 'SCHEMA_MISMATCH' // writer schema cannot be resolved to our reader schema (wrong record)
  | 'VALIDATION_FAILED' // decoded, but semantically invalid (ID format, empty name, wrong size …)
  | 'LIMIT_EXCEEDED' // the body declares more than a message may hold (array items, map entries, string or bytes
  //                    length, total decoded size, nesting): refused before it is decoded
  | 'FOREIGN_SCHEMA' // the writer schema id is not registered under the topic's own subject
  | 'INVALID_UTF8' // a string is not valid UTF-8 (it would otherwise be decoded with replacement characters)
  | 'CONTROL_CHARACTER' // an identifier or name holds a control character (NUL, CR, LF, ESC …)
  | 'IMPOSSIBLE_DATE' // a date that exists but cannot be true: before 1900, or in the future
  | 'INVALID_REQUEST' // a flow rejected the request as unprocessable
  | 'TRANSIENT' // infrastructure unavailable: retry
  | 'CONFLICT'; // concurrent change detected: retry or review

export abstract class BridgeError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly retriable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: retrying cannot help; the message goes to `<topic>.dlq` with this reason. */
export class PermanentError extends BridgeError {
  readonly retriable = false;
  constructor(
    readonly code: Exclude<ErrorCode, 'TRANSIENT'>,
    message: string,
    options?: { cause?: unknown; details?: string[] },
  ) {
    super(message, options);
    this.details = options?.details ?? [];
  }
  readonly details: string[];
}

/** Infrastructure trouble: retry with backoff, keep the partition paused, never skip, never dead-letter. */
export class TransientError extends BridgeError {
  readonly code = 'TRANSIENT' as const;
  readonly retriable = true;
}

export function isPermanent(e: unknown): e is PermanentError {
  return e instanceof PermanentError;
}
