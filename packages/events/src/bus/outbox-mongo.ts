import { randomUUID } from 'node:crypto'
import type { Collection, Db, Document, UpdateFilter } from 'mongodb'
import type { AnyEventEnvelope, EventEnvelope } from '../catalog/index.js'
import { validateEnvelope } from '../catalog/index.js'
import { type Logger, silentLogger } from './logger.js'
import type { EventMetrics } from './metrics.js'
import type { EventPublisher } from './publisher.js'
import { captureTraceContext, type TraceCarrier } from './trace-context.js'

/** An event waiting inside the document it changed. */
export interface PendingEvent {
  id: string
  envelope: AnyEventEnvelope
  traceContext: TraceCarrier | null
  createdAt: Date
}

/** The fields the Mongo outbox adds to a document. */
export interface OutboxFields {
  pendingEvents?: PendingEvent[]
}

function toPending(events: Array<EventEnvelope | AnyEventEnvelope>): PendingEvent[] {
  const traceContext = captureTraceContext()
  const hasTrace = Object.keys(traceContext).length > 0
  return events.map((e) => {
    validateEnvelope(e)
    return { id: e.id, envelope: e as AnyEventEnvelope, traceContext: hasTrace ? traceContext : null, createdAt: new Date() }
  })
}

/**
 * Adds `$push: { pendingEvents: … }` to an update, so the change and its events commit in one
 * single-document write. Validates the events first.
 *
 * @example
 * await courses.updateOne({ _id: id, version }, withOutbox({ $set: { status: 'published' }, $inc: { version: 1 } }, [event]))
 */
export function withOutbox<T extends Document>(update: UpdateFilter<T>, events: Array<EventEnvelope | AnyEventEnvelope>): UpdateFilter<T> {
  const push = { ...((update as Document).$push ?? {}), pendingEvents: { $each: toPending(events) } }
  return { ...update, $push: push } as UpdateFilter<T>
}

/**
 * Sets `pendingEvents` on a document about to be inserted.
 *
 * @example
 * await courses.insertOne(withPendingEvents({ _id: id, title }, [event]))
 */
export function withPendingEvents<T extends Document>(doc: T, events: Array<EventEnvelope | AnyEventEnvelope>): T & OutboxFields {
  return { ...doc, pendingEvents: [...((doc as OutboxFields).pendingEvents ?? []), ...toPending(events)] }
}

/** The relay's default marker collection: `{ _id: '<collection>:<docId>', collection, docId }`. */
export const OUTBOX_PENDING = 'outbox_pending'

interface PendingMark { _id: string; collection: string; docId: unknown; at: Date }

const markId = (collection: string, id: unknown) => `${collection}:${String(id)}`

async function mark(db: Db, pendingCollection: string, collection: string, id: unknown): Promise<void> {
  await db.collection<PendingMark>(pendingCollection).insertOne({ _id: markId(collection, id), collection, docId: id, at: new Date() }).catch((err: { code?: number }) => {
    if (err.code !== 11000) throw err
  })
}

/**
 * Runs a write that adds pending events to one document, with the relay's marker for that document
 * (a unique-`_id` insert into `outbox_pending`) written before and after it. The events still commit
 * with the change, in the document; the marker only tells the relay where to look, so it never has
 * to search the collection: written before, it survives a crash right after the write; written
 * again after, it survives a relay that removed the first one while the write was under way.
 *
 * @example
 * await writeWithPendingMark(db, 'courses', id, () => courses.updateOne({ _id: id }, withOutbox({ $set: { title } }, [event])))
 */
export async function writeWithPendingMark<T>(db: Db, collection: string, id: unknown, write: () => Promise<T>, pendingCollection = OUTBOX_PENDING): Promise<T> {
  await mark(db, pendingCollection, collection, id)
  const result = await write()
  await mark(db, pendingCollection, collection, id)
  return result
}

/**
 * Creates the index the relay's fallback scan uses, on every outbox collection.
 *
 * @example
 * await createMongoOutboxIndexes(db, ['courses'])
 */
export async function createMongoOutboxIndexes(db: Db, collections: string[]): Promise<void> {
  for (const name of collections) await db.collection(name).createIndex({ 'pendingEvents.id': 1 }, { name: 'outbox_pending' })
}

/** Options of {@link MongoOutboxRelay}. */
export interface MongoOutboxRelayOptions {
  db: Db
  /** Collections whose documents may carry `pendingEvents`. */
  collections: string[]
  publisher: EventPublisher
  service: string
  /** How long a claimed document is reserved for this relay. Default 30 s. */
  leaseMs?: number
  /** Collection holding the relays' leases (one per claimed document). Default `outbox_leases`. */
  leaseCollection?: string
  /**
   * Collection recording the ids of published events, so an event that reappears in its document
   * is removed without being sent again. Default `outbox_sent`; entries older than `sentRetentionMs`
   * (default 7 days) are pruned.
   */
  sentCollection?: string
  sentRetentionMs?: number
  /** Marker collection the writers fill through {@link writeWithPendingMark}. Default `outbox_pending`. */
  pendingCollection?: string
  /** Poll interval of the marker collection when nothing is pending (no change streams). Default 250 ms. */
  pollIntervalMs?: number
  /**
   * Interval of the fallback scan for documents with pending events but no marker (written without
   * {@link writeWithPendingMark}, e.g. before an upgrade); it also runs once at start. It is a
   * collection scan on FerretDB, so keep it rare. 0: at start only. Default 10 min.
   */
  scanIntervalMs?: number
  /**
   * Runs the relay's own write to a document (removing the published events) under the lock the
   * service's writes take. Needed on FerretDB 1.x, which applies an update as read-modify-write
   * of the whole document: an unguarded `$pullAll` racing a service write can undo that write.
   */
  withDocumentLock?: (collection: string, id: unknown, write: () => Promise<void>) => Promise<void>
  metrics?: EventMetrics
  logger?: Logger
}

/**
 * Moves pending events out of documents. Finds them through the marker collection (`outbox_pending`,
 * a handful of small documents), not by querying the documents' collection, which FerretDB answers
 * with a full scan; a fallback scan at start and every `scanIntervalMs` marks documents that carry
 * events without a marker. Claims a document with a lease (a unique-key insert into
 * `outbox_leases`, so replicas never hold the same document), publishes its events in order, then
 * removes exactly the published elements ($pullAll) and releases the lease. Published ids are
 * recorded in `outbox_sent`: FerretDB 1.x (SQLite backend) loses concurrent updates of one document,
 * so a service write racing the removal can bring sent events back; they are then removed unsent. Events pushed meanwhile stay for the next round. Uses
 * only CRUD (MongoDB, DocumentDB and FerretDB alike).
 *
 * @example
 * const relay = new MongoOutboxRelay({ db, collections: ['courses'], publisher, service: 'course' })
 * relay.start()
 * // on shutdown
 * await relay.stop()
 */
export class MongoOutboxRelay {
  readonly owner = randomUUID()
  private running = false
  private loop: Promise<void> | undefined
  private wake: (() => void) | undefined
  private woken = false
  private scanning: Promise<void> | undefined
  private readonly logger: Logger

  constructor(private readonly options: MongoOutboxRelayOptions) {
    this.logger = options.logger ?? silentLogger
  }

  /** Starts polling. */
  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** Wakes the relay now (call it after a write in the same process). */
  notify(): void {
    this.woken = true
    this.wake?.()
  }

  /**
   * Marks every document of the collections that has pending events but may lack a marker
   * (the fallback; a collection scan on FerretDB). Returns how many it found.
   */
  async scan(): Promise<number> {
    let found = 0
    for (const name of this.options.collections) {
      const docs = await this.options.db.collection(name).find({ 'pendingEvents.id': { $exists: true } }, { projection: { _id: 1 } }).toArray()
      for (const doc of docs) await mark(this.options.db, this.pendingName, name, doc._id)
      found += docs.length
    }
    return found
  }

  private get pendingName(): string {
    return this.options.pendingCollection ?? OUTBOX_PENDING
  }

  /** Relays until no marked document has pending events it can claim; returns the number of events sent. */
  async drain(): Promise<number> {
    let total = 0
    for (;;) {
      let round = 0
      let claimedAny = false
      for (const name of this.options.collections) {
        const r = await this.relayOne(name)
        if (r !== null) claimedAny = true
        round += r ?? 0
      }
      total += round
      if (!claimedAny) return total
    }
  }

  /** Stops after a final flush. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.notify()
    await this.loop
    await this.scanning
    await this.drain().catch((err) => this.logger.warn({ err }, 'mongo outbox final flush failed'))
  }

  /** Deletes the published-id records older than the retention. */
  async prune(): Promise<number> {
    const sent = this.options.db.collection<{ _id: string; sentAt: Date }>(this.options.sentCollection ?? 'outbox_sent')
    const cutoff = new Date(Date.now() - (this.options.sentRetentionMs ?? 7 * 24 * 3600_000))
    return (await sent.deleteMany({ sentAt: { $lt: cutoff } })).deletedCount
  }

  private async run(): Promise<void> {
    let failures = 0
    let lastPrune = 0
    let lastScan = 0
    const scanEvery = this.options.scanIntervalMs ?? 600_000
    while (this.running) {
      try {
        if (!this.scanning && (lastScan === 0 || (scanEvery > 0 && Date.now() - lastScan > scanEvery))) {
          lastScan = Date.now()
          // In the background: on FerretDB it takes as long as reading the whole collection.
          this.scanning = this.scan()
            .then((n) => { if (n > 0) this.notify() })
            .catch((err) => this.logger.warn({ err }, 'mongo outbox scan failed'))
            .finally(() => { this.scanning = undefined })
        }
        if (Date.now() - lastPrune > 60_000) {
          lastPrune = Date.now()
          await this.prune()
        }
        await this.drain()
        failures = 0
      } catch (err) {
        failures++
        this.logger.warn({ err }, 'mongo outbox round failed')
      }
      const ms = failures ? Math.min(5000, 100 * 2 ** Math.min(failures, 6)) : (this.options.pollIntervalMs ?? 250)
      if (this.woken && !failures) {
        this.woken = false
        continue
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, ms)
        function done() {
          clearTimeout(t)
          resolve()
        }
        this.wake = () => {
          this.wake = undefined
          this.woken = false
          done()
        }
      })
    }
  }

  /**
   * Claims one document with pending events, publishes them and removes exactly those; null when
   * none was claimable. The claim is an insert into the lease collection keyed by the document:
   * a unique-key insert is atomic everywhere, whereas FerretDB 1.x runs findAndModify as a read
   * followed by a write, so two relays could both "win" a conditional update.
   */
  private async relayOne(collectionName: string): Promise<number | null> {
    const { db } = this.options
    const collection = db.collection<Document & OutboxFields>(collectionName)
    const marks = db.collection<PendingMark>(this.pendingName)
    const leases = db.collection<{ _id: string; owner: string; until: Date }>(this.options.leaseCollection ?? 'outbox_leases')
    const sent = db.collection<{ _id: string; sentAt: Date }>(this.options.sentCollection ?? 'outbox_sent')
    const candidates = await marks.find({ collection: collectionName }).limit(20).toArray()
    for (const candidate of candidates) {
      // A document's lease and its marker share the id `<collection>:<docId>`.
      const leaseId = candidate._id
      if (!(await this.claim(leases, leaseId))) continue
      try {
        const doc = await collection.findOne({ _id: candidate.docId as never })
        const published: PendingEvent[] = []
        let error: unknown
        for (const pending of doc?.pendingEvents ?? []) {
          try {
            if (!(await sent.findOne({ _id: pending.id }))) {
              await this.options.publisher.publish(pending.envelope, { traceContext: pending.traceContext })
              await sent.insertOne({ _id: pending.id, sentAt: new Date() }).catch((err: { code?: number }) => {
                if (err.code !== 11000) throw err
              })
            }
            published.push(pending)
          } catch (err) {
            // Stop at the first failure so this document's events keep their order.
            error = err
            break
          }
        }
        // $pullAll of the exact elements read: FerretDB 1.x ignores $pull with a condition (and a
        // projection in findAndModify). The marker goes only once the document has nothing left,
        // under the document's lock when the writers take one (a write in between re-marks it, see
        // writeWithPendingMark).
        const settle = async () => {
          // Read again when nothing was sent: the marker may have come before its write (which
          // has landed by now if the writer holds the lock we are under).
          const left = published.length
            ? await collection.findOneAndUpdate({ _id: candidate.docId as never }, { $pullAll: { pendingEvents: published } as never }, { returnDocument: 'after' })
            : await collection.findOne({ _id: candidate.docId as never })
          if (!error && !left?.pendingEvents?.length) await marks.deleteOne({ _id: candidate._id })
        }
        await (this.options.withDocumentLock ? this.options.withDocumentLock(collectionName, candidate.docId, settle) : settle())
        if (error) throw error
        return published.length
      } finally {
        await leases.deleteOne({ _id: leaseId, owner: this.owner })
      }
    }
    return null
  }

  private async claim(leases: Collection<{ _id: string; owner: string; until: Date }>, leaseId: string): Promise<boolean> {
    const now = new Date()
    const lease = { _id: leaseId, owner: this.owner, until: new Date(now.getTime() + (this.options.leaseMs ?? 30_000)) }
    for (let i = 0; i < 2; i++) {
      try {
        await leases.insertOne(lease)
        return true
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err
        // Held: take it over only if the holder's lease ran out (a relay that died).
        const expired = await leases.deleteOne({ _id: leaseId, until: { $lt: now } })
        if (expired.deletedCount === 0) return false
      }
    }
    return false
  }
}
