import { connectMongo } from '@lms/kit'
import { readConfig } from './config.js'
import { migrate } from './migrate.js'

// The Helm hook's entry: create indexes, then exit.
const config = readConfig(process.env)
const { client, db } = await connectMongo(config.MONGO_URL, config.MONGO_DB)
try {
  await migrate(db)
} finally {
  await client.close()
}
