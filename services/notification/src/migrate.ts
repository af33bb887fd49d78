import { createPostgres, loadConfig, migrateToLatest } from '@lms/kit'
import Type from 'typebox'
import { migrations } from './migrations/index.js'

// The Helm pre-upgrade hook and `npm run migrate` run this: migrations only, as the service's own role.
const config = loadConfig(Type.Object({
  DATABASE_URL: Type.String({ minLength: 1 }),
  DATABASE_SCHEMA: Type.String({ default: 'notifications' }),
}), process.env)
const db = createPostgres({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: 1 })
try {
  const results = await migrateToLatest(db, { schema: config.DATABASE_SCHEMA, migrations })
  for (const r of results) console.log(`${r.status.toLowerCase()}: ${r.migrationName}`)
  console.log(`notification: schema ${config.DATABASE_SCHEMA} is up to date`)
} finally {
  await db.destroy()
}
