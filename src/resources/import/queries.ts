import { queriesFor } from '../../db/store.js'
import type { ImportedResource } from '../../db/schema.js'
import { postgresImportQueries } from './queries.postgres.js'
import { sqliteImportQueries } from './queries.sqlite.js'

export interface SourceKey {
  resource: ImportedResource
  format: string
  site: string
  sourceId: string
}

export interface StagedRecord {
  seq: number
  kind: string
  payload: string
  /** The record's body as sanitised when it was read (JSON of `SanitisedBody`), if it has one. */
  sanitised: string | null
}

/**
 * Where records wait for the end of the file (comments and day notes, until every article is
 * in), so memory stays flat however large the file. Private to this import: nothing else sees
 * it, and writing to it takes no lock on the database.
 */
export interface Stage {
  /** Stages a record; false when one of the same kind and key is already staged. */
  add: (kind: string, key: string | null, payload: string, sanitised?: string | null) => Promise<boolean>
  /** The staged records of one kind in file order, read a page at a time. */
  each: (kind: string, pageSize?: number) => AsyncGenerator<StagedRecord>
  hasKey: (kind: string, key: string) => Promise<boolean>
  drop: () => Promise<void>
}

export interface ImportQueries {
  /** The row an earlier import made from this source row, and the digest of what it was made from. */
  importedRow: (key: SourceKey) => Promise<{ targetId: number, digest: string } | undefined>
  /**
   * Remembers the row made from this source row. Call it right after writing that row: on
   * PostgreSQL it also moves the table's identity past `targetId`, which the import may have
   * given the row itself, as SQLite's AUTOINCREMENT follows the largest id by itself.
   */
  rememberImportedRow: (key: SourceKey, targetId: number, digest: string, at: string) => Promise<void>
  /** A new, empty stage for one import; `drop` it when the import ends. */
  createStage: () => Promise<Stage>
}

export const importQueries = queriesFor<ImportQueries>({ sqlite: sqliteImportQueries, postgres: postgresImportQueries })
