import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api'
import type { ConfirmChannel } from 'amqplib'
import { type AnyEventEnvelope, type EventEnvelope, validateEnvelope } from '../catalog/index.js'
import type { AmqpConnection } from './connection.js'
import { type Logger, silentLogger } from './logger.js'
import type { EventMetrics } from './metrics.js'
import { DEFAULT_EXCHANGE, declareExchange, declareProducerTopology } from './topology.js'
import { captureTraceContext, restoreTraceContext, type TraceCarrier } from './trace-context.js'

/**
 * The broker accepted the message but no queue was bound to its routing key (mandatory return).
 *
 * @example
 * if (err instanceof UnroutableEventError) logger.warn({ routingKey: err.routingKey }, 'nobody listens')
 */
export class UnroutableEventError extends Error {
  readonly code = 'EVT_ERR_UNROUTABLE'
  constructor(
    readonly eventId: string,
    readonly routingKey: string,
  ) {
    super(`event ${eventId} is unroutable: no queue is bound to ${routingKey}`)
    this.name = 'UnroutableEventError'
  }
}

/** Options of {@link EventPublisher}. */
export interface PublisherOptions {
  connection: AmqpConnection
  /** The publishing service (metrics label). */
  service: string
  exchange?: string
  metrics?: EventMetrics
  logger?: Logger
  tracer?: Tracer
  /** How long a publish waits for a (re)connection before it rejects. */
  connectTimeoutMs?: number
  /**
   * Declare the queues of the catalog's consumers of this service's events (see
   * {@link declareProducerTopology}). Default: on for the platform exchange, off for any other
   * (tests use throw-away exchanges and must not create the real services' queues).
   */
  declareConsumerQueues?: boolean
}

/** Per-publish options. */
export interface PublishOptions {
  /** The trace context to continue (an outbox row's); the active context otherwise. */
  traceContext?: TraceCarrier | null
}

/**
 * Publishes envelopes on a confirm channel with `mandatory` set. A publish resolves only once the
 * broker confirmed it; a nack, a return (unroutable) or a lost channel rejects it.
 *
 * @example
 * const connection = new AmqpConnection({ url: config.AMQP_URL, name: 'user' })
 * await connection.start() // the publisher waits for this connection; it never starts it
 * const publisher = new EventPublisher({ connection, service: 'user', metrics })
 * await publisher.publish(createEvent('user.deleted', { userId }, { source: 'user' }))
 */
export class EventPublisher {
  private channel: ConfirmChannel | undefined
  private opening: Promise<ConfirmChannel> | undefined
  private returned = new Set<string>()
  private readonly exchange: string
  private readonly logger: Logger
  private readonly tracer: Tracer

  constructor(private readonly options: PublisherOptions) {
    this.exchange = options.exchange ?? DEFAULT_EXCHANGE
    this.logger = options.logger ?? silentLogger
    this.tracer = options.tracer ?? trace.getTracer('@lms/events')
  }

  /** Validates and publishes one event; see the class description for when it resolves. */
  async publish(event: AnyEventEnvelope | EventEnvelope, options: PublishOptions = {}): Promise<void> {
    validateEnvelope(event)
    const parent = options.traceContext ? restoreTraceContext(options.traceContext) : context.active()
    const span = this.tracer.startSpan(
      `${event.type} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'publish',
          'messaging.destination.name': this.exchange,
          'messaging.rabbitmq.destination.routing_key': event.type,
          'messaging.message.id': event.id,
        },
      },
      parent,
    )
    try {
      const headers = captureTraceContext(trace.setSpan(parent, span))
      const channel = await this.getChannel()
      const body = Buffer.from(JSON.stringify(event))
      await new Promise<void>((resolve, reject) => {
        try {
          channel.publish(
            this.exchange,
            event.type,
            body,
            {
              mandatory: true,
              persistent: true,
              messageId: event.id,
              type: event.type,
              contentType: 'application/json',
              timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
              appId: event.source,
              headers: { ...headers, 'x-lms-version': event.version },
            },
            (err) => {
              // RabbitMQ sends basic.return before the basic.ack of the same message.
              if (this.returned.delete(event.id)) reject(new UnroutableEventError(event.id, event.type))
              else if (err) reject(err instanceof Error ? err : new Error(String(err)))
              else resolve()
            },
          )
        } catch (err) {
          reject(err)
        }
      })
      this.options.metrics?.published.inc({ service: this.options.service, type: event.type })
    } catch (err) {
      span.recordException(err as Error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message })
      throw err
    } finally {
      span.end()
    }
  }

  /** Closes the channel (the connection belongs to the caller). */
  async close(): Promise<void> {
    const ch = this.channel
    this.channel = undefined
    if (ch) await ch.close().catch(() => {})
  }

  private getChannel(): Promise<ConfirmChannel> {
    if (this.channel) return Promise.resolve(this.channel)
    this.opening ??= (async () => {
      const connection = await this.options.connection.waitForConnection(this.options.connectTimeoutMs ?? 5000)
      const ch = await connection.createConfirmChannel()
      ch.on('error', (err: Error) => this.logger.warn({ err }, 'publisher channel error'))
      ch.on('close', () => {
        if (this.channel === ch) this.channel = undefined
      })
      ch.on('return', (msg) => {
        const id = msg.properties.messageId as string | undefined
        if (id) this.returned.add(id)
      })
      await declareExchange(ch, this.exchange)
      if (this.options.declareConsumerQueues ?? this.exchange === DEFAULT_EXCHANGE) {
        await declareProducerTopology(ch, { producer: this.options.service, exchange: this.exchange })
      }
      this.channel = ch
      return ch
    })().finally(() => {
      this.opening = undefined
    })
    return this.opening
  }
}
