import {
  pino,
  stdSerializers,
  stdTimeFunctions,
  destination as pinoDestination,
  type Logger,
  type DestinationStream,
} from 'pino';

/**
 * Field names whose values are personal data (names, ID numbers, BHXH codes, dates of birth).
 * They are censored in every log line; ids such as eventId, memberId, caseId are kept.
 * The list is matched at any depth up to three levels, and wildcards cover arrays of people.
 */
export const PII_KEYS = [
  'fullName',
  'full_name',
  'name',
  'childName',
  'fatherName',
  'father_name',
  'motherName',
  'mother_name',
  'parentName',
  'guardianName',
  'idNumber',
  'id_number',
  'personalIdNumber',
  'documentNumber',
  'bhxhCode',
  'bhxh_code',
  'bqpCode',
  'bqp_code',
  'oldCode',
  'old_code',
  'newCode',
  'new_code',
  'previousCode',
  'dob',
  'dateOfBirth',
  'date_of_birth',
  'birthDate',
  'phone',
  'email',
  'address',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const k of PII_KEYS) {
    paths.push(k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`);
  }
  return paths;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'vss-bridge' },
      timestamp: stdTimeFunctions.isoTime,
      redact: { paths: redactPaths(), censor: '[redacted]' },
      serializers: { err: stdSerializers.err },
    },
    destination ?? pinoDestination({ dest: 2, sync: false }),
  );
}

export type { Logger };
