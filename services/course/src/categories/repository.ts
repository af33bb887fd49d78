import type { Db, Filter } from 'mongodb'
import type { CategoryDoc } from './table.js'

export const CATEGORIES = 'categories'
const categories = (db: Db) => db.collection<CategoryDoc>(CATEGORIES)

export async function insertCategory(db: Db, doc: CategoryDoc): Promise<void> {
  await categories(db).insertOne(doc)
}

export async function findCategory(db: Db, id: string): Promise<CategoryDoc | null> {
  return categories(db).findOne({ _id: id })
}

export async function updateCategory(db: Db, id: string, set: Partial<CategoryDoc>): Promise<CategoryDoc | null> {
  return categories(db).findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' })
}

export async function deleteCategory(db: Db, id: string): Promise<boolean> {
  return (await categories(db).deleteOne({ _id: id })).deletedCount === 1
}

/** Categories by name, keyset after (nameKey, id). */
export async function listCategories(db: Db, after: [string, string] | undefined, limit: number): Promise<CategoryDoc[]> {
  const filter: Filter<CategoryDoc> = after ? { $or: [{ nameKey: { $gt: after[0] } }, { nameKey: after[0], _id: { $gt: after[1] } }] } : {}
  return categories(db).find(filter).sort({ nameKey: 1, _id: 1 }).limit(limit).toArray()
}
