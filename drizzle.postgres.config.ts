import { defineConfig } from 'drizzle-kit'

// PostgreSQL's migrations, generated from src/db/schema.postgres.ts; SQLite's stay in
// migrations/ (drizzle.config.ts). The migrations table is public.__drizzle_migrations, where
// src/db/postgres.ts runs and checks them.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.postgres.ts',
  out: './migrations/postgres',
  migrations: { schema: 'public', table: '__drizzle_migrations' }
})
