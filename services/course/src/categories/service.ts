import { decodeCursor, page } from '@lms/kit'
import { uuidv7 } from 'uuidv7'
import { isDuplicateKey } from '../mongo-errors.js'
import { errors } from '../errors.js'
import type { ServiceDeps } from '../service-deps.js'
import * as repo from './repository.js'
import type { Category, CreateCategory, UpdateCategory } from './schemas.js'
import type { CategoryDoc } from './table.js'

const keyOf = (name: string) => name.normalize('NFKD').replace(/\p{M}+/gu, '').trim().toLowerCase()

function toCategory(doc: CategoryDoc): Category {
  return { id: doc._id, name: doc.name, description: doc.description, createdAt: doc.createdAt.toISOString(), updatedAt: doc.updatedAt.toISOString() }
}

export async function exists(deps: ServiceDeps, id: string): Promise<boolean> {
  return (await repo.findCategory(deps.db, id)) !== null
}

export async function getCategory(deps: ServiceDeps, id: string): Promise<Category> {
  const doc = await repo.findCategory(deps.db, id)
  if (!doc) throw errors.COURSE_ERR_CATEGORY_NOT_FOUND()
  return toCategory(doc)
}

export async function listCategories(deps: ServiceDeps, limit: number, cursor: string | undefined) {
  const after = decodeCursor<[string, string]>(cursor)
  const rows = await repo.listCategories(deps.db, after, limit + 1)
  return page(rows, limit, (r) => [r.nameKey, r._id], toCategory)
}

export async function createCategory(deps: ServiceDeps, input: CreateCategory): Promise<Category> {
  const now = new Date()
  const doc: CategoryDoc = { _id: uuidv7(), name: input.name.trim(), nameKey: keyOf(input.name), description: input.description ?? '', createdAt: now, updatedAt: now }
  try {
    await repo.insertCategory(deps.db, doc)
  } catch (err) {
    if (isDuplicateKey(err)) throw errors.COURSE_ERR_CATEGORY_NAME_TAKEN()
    throw err
  }
  return toCategory(doc)
}

export async function updateCategory(deps: ServiceDeps, id: string, input: UpdateCategory): Promise<Category> {
  const set: Partial<CategoryDoc> = { updatedAt: new Date() }
  if (input.name !== undefined) Object.assign(set, { name: input.name.trim(), nameKey: keyOf(input.name) })
  if (input.description !== undefined) set.description = input.description
  try {
    const doc = await repo.updateCategory(deps.db, id, set)
    if (!doc) throw errors.COURSE_ERR_CATEGORY_NOT_FOUND()
    return toCategory(doc)
  } catch (err) {
    if (isDuplicateKey(err)) throw errors.COURSE_ERR_CATEGORY_NAME_TAKEN()
    throw err
  }
}

/** Deletes a category no course refers to (409 otherwise). */
export async function deleteCategory(deps: ServiceDeps, id: string, coursesUsing: (id: string) => Promise<number>): Promise<void> {
  if (!(await repo.findCategory(deps.db, id))) throw errors.COURSE_ERR_CATEGORY_NOT_FOUND()
  if ((await coursesUsing(id)) > 0) throw errors.COURSE_ERR_CATEGORY_IN_USE()
  await repo.deleteCategory(deps.db, id)
}
