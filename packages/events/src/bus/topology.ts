import { catalog, type CatalogEntry } from '../catalog/index.js'
import type { Channel } from 'amqplib'

/** Default name of the platform's topic exchange. */
export const DEFAULT_EXCHANGE = 'lms.events'

/** Retry backoff: delay of retry n is `min(maxMs, initialMs * factor^(n-1))`. */
export interface Backoff {
  initialMs: number
  factor: number
  maxMs: number
}

/** Default retry backoff: 1 s, 4 s, 16 s, … capped at 5 min. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, factor: 4, maxMs: 300_000 }

/** The names of one service's queues and exchanges. */
export interface TopologyNames {
  exchange: string
  queue: string
  retryExchange: string
  retryQueue: (attempt: number) => string
  deadLetterExchange: string
  deadLetterQueue: string
}

/**
 * The queue and exchange names of a consuming service.
 *
 * @example
 * topologyNames('enrollment').deadLetterQueue // 'enrollment.events.dlq'
 */
export function topologyNames(service: string, exchange = DEFAULT_EXCHANGE): TopologyNames {
  const queue = `${service}.events`
  return {
    exchange,
    queue,
    retryExchange: `${queue}.retry`,
    retryQueue: (attempt) => `${queue}.retry.${attempt}`,
    deadLetterExchange: `${queue}.dlx`,
    deadLetterQueue: `${queue}.dlq`,
  }
}

/**
 * The delay before retry `attempt` (1-based).
 *
 * @example
 * retryDelay(2, { initialMs: 100, factor: 2, maxMs: 1000 }) // 200
 */
export function retryDelay(attempt: number, backoff: Backoff): number {
  return Math.min(backoff.maxMs, Math.round(backoff.initialMs * backoff.factor ** (attempt - 1)))
}

/** Options of {@link declareServiceTopology}. */
export interface ServiceTopologyOptions {
  service: string
  exchange?: string
  /** Routing keys (event types) the service's queue is bound to. */
  routingKeys: readonly string[]
  /** Total handling attempts; `maxAttempts - 1` retry queues are declared. */
  maxAttempts: number
  backoff?: Backoff
  /** Broker-side redelivery cap of the main queue (crash loops, not handler errors). */
  deliveryLimit?: number
}

/**
 * Declares the event exchange only (what a producer needs). Idempotent.
 *
 * @example
 * await declareExchange(channel, 'lms.events')
 */
export async function declareExchange(channel: Channel, exchange = DEFAULT_EXCHANGE): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true })
}

const atLeastOnceDeadLettering = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' }

/**
 * Declares a consuming service's topology, idempotently:
 * - topic exchange `exchange` (durable)
 * - quorum queue `<service>.events` bound to `routingKeys`, with an explicit delivery limit and
 *   at-least-once dead-lettering into `<service>.events.dlq` (via the direct exchange `<service>.events.dlx`)
 * - quorum queues `<service>.events.retry.<n>` whose TTL is the n-th backoff delay; they dead-letter
 *   through the direct exchange `<service>.events.retry` back into this service's queue only
 *
 * @example
 * await declareServiceTopology(channel, { service: 'enrollment', routingKeys: ['course.published'], maxAttempts: 5 })
 */
export async function declareServiceTopology(channel: Channel, options: ServiceTopologyOptions): Promise<TopologyNames> {
  const names = topologyNames(options.service, options.exchange)
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  await declareExchange(channel, names.exchange)
  await channel.assertExchange(names.retryExchange, 'direct', { durable: true })
  await declareServiceQueue(channel, names, options.deliveryLimit)
  await channel.bindQueue(names.queue, names.retryExchange, names.queue)
  for (const key of options.routingKeys) await channel.bindQueue(names.queue, names.exchange, key)
  for (let n = 1; n < options.maxAttempts; n++) {
    await channel.assertQueue(names.retryQueue(n), {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': retryDelay(n, backoff),
        'x-dead-letter-exchange': names.retryExchange,
        'x-dead-letter-routing-key': names.queue,
        ...atLeastOnceDeadLettering,
      },
    })
  }
  return names
}

/** The main quorum queue of a service and its dead-letter path; identical whoever declares it. */
async function declareServiceQueue(channel: Channel, names: TopologyNames, deliveryLimit = 20) {
  await channel.assertExchange(names.deadLetterExchange, 'direct', { durable: true })
  await channel.assertQueue(names.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  await channel.bindQueue(names.deadLetterQueue, names.deadLetterExchange, names.deadLetterQueue)
  await channel.assertQueue(names.queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-exchange': names.deadLetterExchange,
      'x-dead-letter-routing-key': names.deadLetterQueue,
      ...atLeastOnceDeadLettering,
    },
  })
}

/** Where events that no service consumes yet are kept (for a week, at most 100,000), so they stay routable. */
export function unconsumedQueueName(exchange = DEFAULT_EXCHANGE): string {
  return `${exchange}.unconsumed`
}

/**
 * Declares, from the producer's side, the queue of every consumer the catalog names for the
 * event types `producer` publishes, bound to those types. Events then wait in a consumer's queue
 * even when the producer starts first (a fresh install, a consumer being redeployed), instead of
 * coming back unroutable. Types nobody consumes go to a bounded `<exchange>.unconsumed` queue.
 * A type bound nowhere still comes back unroutable: a catalog/topology mismatch stays visible.
 *
 * @example
 * await declareProducerTopology(channel, { producer: 'enrollment' })
 */
export async function declareProducerTopology(
  channel: Channel,
  options: { producer: string; exchange?: string; deliveryLimit?: number; consumerName?: (consumer: string) => string },
): Promise<void> {
  const exchange = options.exchange ?? DEFAULT_EXCHANGE
  await declareExchange(channel, exchange)
  for (const [type, versions] of Object.entries(catalog)) {
    const consumers = new Set<string>()
    let produced = false
    for (const entry of Object.values(versions) as CatalogEntry[]) {
      if (entry.producer !== options.producer) continue
      produced = true
      for (const consumer of entry.consumers) consumers.add(consumer)
    }
    if (!produced) continue
    for (const consumer of consumers) {
      const names = topologyNames(options.consumerName ? options.consumerName(consumer) : consumer, exchange)
      await declareServiceQueue(channel, names, options.deliveryLimit)
      await channel.bindQueue(names.queue, exchange, type)
    }
    if (consumers.size === 0) {
      const queue = unconsumedQueueName(exchange)
      await channel.assertQueue(queue, {
        durable: true,
        arguments: { 'x-message-ttl': 7 * 24 * 3600 * 1000, 'x-max-length': 100_000, 'x-overflow': 'drop-head' },
      })
      await channel.bindQueue(queue, exchange, type)
    }
  }
}

/**
 * Deletes a service's queues and exchanges (tests and decommissioning). The topic exchange is
 * deleted only when `deleteExchange` is set, since other services share it.
 *
 * @example
 * await deleteServiceTopology(channel, { service: 'enrollment', maxAttempts: 5 })
 */
export async function deleteServiceTopology(
  channel: Channel,
  options: { service: string; exchange?: string; maxAttempts: number; deleteExchange?: boolean },
): Promise<void> {
  const names = topologyNames(options.service, options.exchange)
  for (let n = 1; n < options.maxAttempts; n++) await channel.deleteQueue(names.retryQueue(n))
  await channel.deleteQueue(names.queue)
  await channel.deleteQueue(names.deadLetterQueue)
  await channel.deleteExchange(names.retryExchange)
  await channel.deleteExchange(names.deadLetterExchange)
  if (options.deleteExchange) await channel.deleteExchange(names.exchange)
}
