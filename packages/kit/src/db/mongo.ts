import { MongoClient, type Db } from 'mongodb'

/**
 * Connects a MongoDB client (MongoDB 7, DocumentDB and FerretDB alike: no
 * retryable writes, which DocumentDB lacks).
 *
 * @example
 * const { client, db } = await connectMongo(config.MONGO_URL, 'courses')
 */
export async function connectMongo(url: string, dbName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(url, { retryWrites: false, serverSelectionTimeoutMS: 5000, maxPoolSize: 20 })
  await client.connect()
  return { client, db: client.db(dbName) }
}
