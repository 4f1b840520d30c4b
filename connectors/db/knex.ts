import knexFactory, { type Knex } from 'knex';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';

// DATE and TIMESTAMP come back as strings we control, not JS Dates shifted by the local zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export interface DbOptions {
  /** false: no TLS; true: TLS verified against the system CAs; an object: TLS with these options (CA, cert …). */
  ssl?: boolean | ConnectionOptions;
  poolMax?: number;
}

/** A knex instance over PostgreSQL. The caller owns it and must `destroy()` it. */
export function createDb(databaseUrl: string, opts: DbOptions = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: databaseUrl,
      ssl:
        opts.ssl === true
          ? { rejectUnauthorized: true }
          : opts.ssl
            ? { ...opts.ssl, rejectUnauthorized: true }
            : false,
    },
    pool: { min: 0, max: opts.poolMax ?? 10, acquireTimeoutMillis: 10_000 },
    acquireConnectionTimeout: 10_000,
  });
}
