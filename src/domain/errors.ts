/**
 * Errors are types with a code and a retriable flag (STYLE.md): the runtime decides by class, never by
 * parsing messages. Permanent errors (bad input) send the message to the dead-letter topic; transient
 * errors (broker, registry or database outage) are retried with backoff and never skipped.
 */
export type ErrorCode =
  | 'DECODE_FAILED' // not our wire format: empty, wrong magic byte, truncated, not Avro
  | 'UNKNOWN_SCHEMA' // the registry does not know the writer schema id
  | 'SCHEMA_MISMATCH' // writer schema cannot be resolved to our reader schema (wrong record)
  | 'VALIDATION_FAILED' // decoded, but semantically invalid (ID format, impossible date, empty name …)
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
