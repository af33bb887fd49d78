import { randomUUID } from 'node:crypto'
import type { Db } from 'mongodb'
import { isDuplicateKey } from './mongo-errors.js'

export const LOCKS = 'locks'

interface LockDoc { _id: string; owner: string; until: Date }

export interface LockOptions {
  /** How long a holder may keep the lock before others may take it over (crash safety). */
  leaseMs?: number
  /** How long to wait for a held lock before giving up. */
  waitMs?: number
}

export class LockTimeoutError extends Error {
  constructor(name: string) {
    super(`lock ${name} is busy`)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Runs `fn` while holding the named lock: a document `{_id: name}` in `locks`
 * created with insertOne (a unique `_id` insert is atomic on MongoDB,
 * DocumentDB and FerretDB alike, unlike a read-then-write update on
 * FerretDB 1.x) and deleted afterwards. A holder that dies leaves the lock
 * until its lease ends; then the next caller removes it and takes over.
 */
export async function withLock<T>(db: Db, name: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const leaseMs = opts.leaseMs ?? 10_000
  const deadline = Date.now() + (opts.waitMs ?? 10_000)
  const locks = db.collection<LockDoc>(LOCKS)
  const owner = randomUUID()
  for (let attempt = 0; ; attempt++) {
    try {
      await locks.insertOne({ _id: name, owner, until: new Date(Date.now() + leaseMs) })
      break
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
    }
    const held = await locks.findOne({ _id: name })
    if (held && held.until.getTime() < Date.now()) {
      await locks.deleteOne({ _id: name, owner: held.owner })
      continue
    }
    if (Date.now() > deadline) throw new LockTimeoutError(name)
    await sleep(Math.min(2 + attempt * 3, 50) * (0.5 + Math.random()))
  }
  try {
    return await fn()
  } finally {
    await locks.deleteOne({ _id: name, owner }).catch(() => {})
  }
}
