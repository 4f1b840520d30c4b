export * from './generated.js';
export {
  loadSchema,
  loadSchemas,
  isSchemaName,
  schemaText,
  SCHEMAS_DIR,
  SCHEMA_NAMESPACE,
} from './schemas.js';
export type { AvroRecordSchema, AvroField, AvroSchema } from './schemas.js';
