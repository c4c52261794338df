/**
 * The studies' schema, versioned: `migrations/NNN-name.sql`, numbered from 001 without gaps, applied in
 * order at start, each recorded in `schema_migrations` with the SHA-256 of its text. Everything runs in
 * one transaction under an advisory lock, so instances of a fleet starting together against one
 * PostgreSQL apply each migration once and none serves a half-made schema. A database with a migration
 * this code does not know (a newer release ran against it) or whose recorded text differs from ours is
 * refused: running on it could corrupt what the newer schema means.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

/** The database cannot be used by this code; the message says what to do. */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';
}

/** This file runs as server/studies/migrations.ts (tsx) or as dist/server/server/studies/migrations.js. */
const MIGRATIONS_DIR = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? './migrations/' : '../../../../server/studies/migrations/',
    import.meta.url,
  ),
);

const FILE_NAME = /^(\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.sql$/;

/**
 * pg_advisory_xact_lock's key for the migrations, any fixed number no other lock uses: the first
 * 8 bytes of SHA-256("sealed-vitals/studies/migrations"), as a signed 64-bit integer.
 */
const MIGRATION_LOCK_KEY = createHash('sha256')
  .update('sealed-vitals/studies/migrations')
  .digest()
  .readBigInt64BE(0)
  .toString();

/** The migrations in `dir`, in order; throws if a name is malformed or the numbering has a gap. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file, index) => {
      const match = FILE_NAME.exec(file);
      if (!match?.[1] || !match[2]) {
        throw new SchemaVersionError(
          `${dir}/${file}: a migration is named NNN-name.sql (e.g. 002-trustees.sql).`,
        );
      }
      const version = Number(match[1]);
      if (version !== index + 1) {
        throw new SchemaVersionError(
          `${dir}/${file}: expected migration ${index + 1}; the numbers have a gap.`,
        );
      }
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return { version, name: match[2], sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
  if (migrations.length === 0) throw new SchemaVersionError(`${dir} holds no migration.`);
  return migrations;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** Applies the migrations the database lacks; returns the versions it applied (none if up to date). */
export async function migrate(
  database: Database,
  migrations: readonly Migration[] = readMigrations(),
): Promise<number[]> {
  return database.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await tx.execute(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const applied = await tx.query<AppliedRow>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const known = migrations.length;
    const newest = applied.at(-1)?.version ?? 0;
    if (newest > known) {
      throw new SchemaVersionError(
        `The studies database is at schema version ${newest}, newer than this release knows (${known}): a newer Sealed Vitals has used it. Run that release or a later one; never an older one against it.`,
      );
    }
    for (const [index, row] of applied.entries()) {
      const ours = migrations[index];
      if (row.version !== index + 1 || !ours || row.checksum !== ours.checksum) {
        throw new SchemaVersionError(
          `The studies database's migration ${row.version} (${row.name}) is not this release's ${ours ? `${ours.version}-${ours.name}.sql` : 'migration'}: a migration was changed after it was applied. Restore the original file; changes go in a new migration.`,
        );
      }
    }
    const missing = migrations.slice(applied.length);
    for (const migration of missing) {
      await tx.execute(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    }
    return missing.map((migration) => migration.version);
  });
}
