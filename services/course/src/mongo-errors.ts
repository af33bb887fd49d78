import { MongoServerError } from 'mongodb'

/** A unique-index violation. FerretDB 1.x reports one on update as code 1 with SQLite's message, not 11000. */
export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && (err.code === 11000 || /UNIQUE constraint failed|duplicate key/.test(err.message))
}
