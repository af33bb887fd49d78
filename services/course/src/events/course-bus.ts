import { withLock } from '../locks.js'
import { AmqpConnection, createEventMetrics, EventPublisher, MongoOutboxRelay, startConsumer, type Consumer, type Logger } from '@lms/events'
import type { Db } from 'mongodb'
import type { Registry } from 'prom-client'
import { COURSES } from '../courses/repository.js'
import type { ServiceDeps } from '../service-deps.js'
import { userDeletedHandler } from '../subscriptions/user-deleted.handler.js'

export interface CourseBusOptions {
  amqpUrl: string
  db: Db
  registry: Registry
  logger: Logger
  /** Defaults to the platform's `lms.events`; tests use their own. */
  exchange?: string
  /** Queue owner name (`<service>.events`); defaults to `course`. */
  service?: string
}

/**
 * The service's side of RabbitMQ: the outbox relay publishing what writes
 * left in `courses.pendingEvents`, and the `course.events` consumer.
 *
 * @example
 * const bus = await CourseBus.connect({ amqpUrl, db, registry, logger })
 * const { services } = await buildApp({ ..., notifyOutbox: () => bus.notify() })
 * await bus.consume(services)
 * app.addReadinessCheck('rabbitmq', () => bus.ready())
 */
export class CourseBus {
  private consumer: Consumer | undefined

  private constructor(private readonly connection: AmqpConnection, private readonly relay: MongoOutboxRelay, private readonly opts: CourseBusOptions) {}

  static async connect(opts: CourseBusOptions): Promise<CourseBus> {
    const metrics = createEventMetrics(opts.registry)
    const connection = new AmqpConnection({ url: opts.amqpUrl, name: 'course', logger: opts.logger })
    await connection.start()
    const publisher = new EventPublisher({ connection, service: 'course', metrics, logger: opts.logger, ...(opts.exchange ? { exchange: opts.exchange } : {}) })
    const relay = new MongoOutboxRelay({
      db: opts.db, collections: [COURSES], publisher, service: 'course', metrics, logger: opts.logger,
      withDocumentLock: (_collection, id, write) => withLock(opts.db, `course:${String(id)}`, write),
      // Course writes mark their documents under the course's lock, so only documents written before
      // the markers existed lack one: the scan at start finds those; hourly is a backstop (each scan
      // reads the whole collection on FerretDB).
      scanIntervalMs: 3_600_000,
    })
    relay.start()
    return new CourseBus(connection, relay, opts)
  }

  notify(): void {
    this.relay.notify()
  }

  /** Resolves while the broker connection is up (the `rabbitmq` readiness check). */
  async ready(): Promise<void> {
    if (!this.connection.connection) throw new Error('not connected to the broker')
  }

  async consume(services: ServiceDeps): Promise<void> {
    this.consumer = await startConsumer({
      connection: this.connection,
      service: this.opts.service ?? 'course',
      ...(this.opts.exchange ? { exchange: this.opts.exchange } : {}),
      metrics: createEventMetrics(this.opts.registry),
      logger: this.opts.logger,
      handlers: { 'user.deleted': { 1: userDeletedHandler(services) } },
    })
  }

  /** Stops consuming, flushes the outbox, closes the connection. */
  async stop(): Promise<void> {
    await this.consumer?.stop()
    await this.relay.stop()
    await this.connection.close()
  }
}
