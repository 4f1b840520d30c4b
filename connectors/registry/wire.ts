/**
 * Confluent wire format: magic byte 0x00, 4-byte big-endian schema id, then the Avro binary body.
 */
import { PermanentError } from '../../src/domain/errors.js';

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

export interface WireMessage {
  schemaId: number;
  body: Buffer;
}

/** Splits a message value into schema id and body; DECODE_FAILED when it is not in the wire format. */
export function parseWire(value: Buffer | null | undefined): WireMessage {
  if (value === null || value === undefined || value.length === 0) {
    throw new PermanentError('DECODE_FAILED', 'empty message value (tombstone or zero bytes)');
  }
  if (value.length < HEADER_BYTES) {
    throw new PermanentError(
      'DECODE_FAILED',
      `message value of ${value.length} bytes is shorter than the 5-byte header`,
    );
  }
  const magic = value.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new PermanentError(
      'DECODE_FAILED',
      `magic byte is 0x${magic.toString(16).padStart(2, '0')}, expected 0x00`,
    );
  }
  return { schemaId: value.readUInt32BE(1), body: value.subarray(HEADER_BYTES) };
}

export function toWire(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}
