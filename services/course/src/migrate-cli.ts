import { connectMongo } from '@lms/kit'
import { readConfig } from './config.js'
import { migrate } from './migrate.js'

// The Helm hook's entry: create indexes (and the search index on first run), then exit.
// `--rebuild-search` rebuilds the search index from the courses (run with no service writing).
const config = readConfig(process.env)
const { client, db } = await connectMongo(config.MONGO_URL, config.MONGO_DB)
try {
  await migrate(db, { rebuildSearch: process.argv.includes('--rebuild-search') })
} finally {
  await client.close()
}
