import type { Kysely } from 'kysely'
import type { Registry } from 'prom-client'
import { AmqpConnection } from './connection.js'
import { startConsumer, type Consumer, type EventHandlers } from './consumer.js'
import { type Logger, silentLogger } from './logger.js'
import { createEventMetrics, type EventMetrics } from './metrics.js'
import { PgOutboxRelay } from './outbox-pg.js'
import { EventPublisher } from './publisher.js'

/** Options of {@link startServiceBus}. */
export interface ServiceBusOptions {
  service: string
  amqpUrl: string
  /**
   * The service's Kysely: its `outbox` is relayed (omit for a service without a PostgreSQL outbox),
   * and the relay is woken in-process after each of its commits that enqueued (no NOTIFY).
   */
  db?: Kysely<any>
  /** A Kysely with its own small pool for the relay (defaults to `db`; see PgOutboxRelayOptions.db). */
  relayDb?: Kysely<any>
  /** Connection string for the relay's LISTEN connection (the service's DATABASE_URL). */
  listenUrl?: string
  /** Handlers of consumed events; without them no consumer starts. */
  handlers?: EventHandlers
  registry?: Registry
  logger?: Logger
  exchange?: string
  prefetch?: number
  maxAttempts?: number
}

/** A service's running connection, publisher, outbox relay and consumer. */
export interface ServiceBus {
  connection: AmqpConnection
  publisher: EventPublisher
  relay: PgOutboxRelay | undefined
  consumer: Consumer | undefined
  metrics: EventMetrics | undefined
  /** Resolves while the broker connection is up (for /health/ready). */
  ready(): Promise<void>
  /** Stops the consumer (in-flight handlers finish), flushes the relay, closes the connection. */
  close(): Promise<void>
}

/**
 * The event wiring every PostgreSQL-backed service repeats: one reconnecting
 * connection, a confirming publisher, the outbox relay and the consumer.
 *
 * @example
 * const bus = await startServiceBus({
 *   service: 'enrollment', amqpUrl: config.AMQP_URL, db, listenUrl: config.DATABASE_URL,
 *   registry: app.metrics, logger: app.log, handlers: { 'course.published': { 1: onCoursePublished } },
 * })
 * // on shutdown
 * await bus.close()
 */
export async function startServiceBus(options: ServiceBusOptions): Promise<ServiceBus> {
  const logger = options.logger ?? silentLogger
  const metrics = options.registry ? createEventMetrics(options.registry) : undefined
  const connection = new AmqpConnection({ url: options.amqpUrl, name: options.service, logger })
  await connection.start()
  const exchange = options.exchange ? { exchange: options.exchange } : {}
  const publisher = new EventPublisher({ connection, service: options.service, logger, ...exchange, ...(metrics ? { metrics } : {}) })
  const consumer = options.handlers
    ? await startConsumer({
      connection, service: options.service, handlers: options.handlers, logger, ...exchange,
      ...(metrics ? { metrics } : {}),
      ...(options.prefetch ? { prefetch: options.prefetch } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    })
    : undefined
  const relay = options.db
    ? new PgOutboxRelay({
      db: options.relayDb ?? options.db, producerDb: options.db, publisher, service: options.service, logger,
      ...(options.listenUrl ? { listen: { connectionString: options.listenUrl } } : {}),
      ...(metrics ? { metrics } : {}),
    })
    : undefined
  await relay?.start()
  return {
    connection, publisher, relay, consumer, metrics,
    async ready() {
      if (!connection.connection) throw new Error('not connected to the broker')
    },
    async close() {
      await consumer?.stop()
      await relay?.stop()
      await connection.close()
    },
  }
}
