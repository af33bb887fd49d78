import { context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api'
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib'
import { type EventEnvelope, type EventType, EventValidationError, validateEnvelope } from '../catalog/index.js'
import type { AmqpConnection } from './connection.js'
import { AckBatcher } from './ack-batcher.js'
import { type Logger, silentLogger } from './logger.js'
import type { EventMetrics } from './metrics.js'
import { type Backoff, DEFAULT_BACKOFF, DEFAULT_EXCHANGE, declareServiceTopology, type TopologyNames, topologyNames } from './topology.js'
import { restoreTraceContext } from './trace-context.js'

/** Header names the consumer writes on retried and dead-lettered messages. */
export const HEADERS = {
  attempt: 'x-lms-attempt',
  routingKey: 'x-lms-routing-key',
  lastError: 'x-lms-last-error',
  deadLetterReason: 'x-lms-dead-letter-reason',
  deadLetterDetail: 'x-lms-dead-letter-detail',
  deadLetteredAt: 'x-lms-dead-lettered-at',
  deadLetteredBy: 'x-lms-dead-lettered-by',
} as const

/** Why a message went to the dead-letter queue. */
export type DeadLetterReason =
  'invalid_json' | 'invalid_envelope' | 'unknown_type' | 'unknown_version' | 'schema_violation' | 'handler_failed'

/** What a handler receives beside the event. */
export interface HandlerContext {
  /** 1 on first delivery, incremented by each delayed retry. */
  attempt: number
  message: ConsumeMessage
  /** The channel the message arrived on. */
  channel: ConfirmChannel
  span: Span
}

/** Handles one event. Resolve to ack; throw to retry. Returning `'duplicate'` (as `handleOnce` does) is counted as such. */
export type EventHandler<T extends EventType> = (event: EventEnvelope<T>, ctx: HandlerContext) => Promise<unknown> | unknown

/** Handlers keyed by event type then version. */
export type EventHandlers = { [T in EventType]?: Record<number, EventHandler<T>> }

/** Options of {@link startConsumer}. */
export interface ConsumerOptions {
  connection: AmqpConnection
  /** The consuming service: its queue is `<service>.events`. */
  service: string
  exchange?: string
  handlers: EventHandlers
  /** Unacked messages in flight (= handler concurrency). Default 16. */
  prefetch?: number
  /** Handling attempts before a failing message is dead-lettered. Default 5. */
  maxAttempts?: number
  backoff?: Backoff
  /** Broker-side redelivery cap (crash loops). Default 20. */
  deliveryLimit?: number
  metrics?: EventMetrics
  logger?: Logger
  tracer?: Tracer
}

/** A running consumer. */
export interface Consumer {
  readonly names: TopologyNames
  /** Stops taking messages, waits for in-flight handlers, closes the channel. */
  stop(): Promise<void>
}

/**
 * Declares the service's topology, then consumes its queue: validates every message against the
 * catalog, runs the handler in a CONSUMER span continuing the producer's trace, acks after the
 * handler resolved, retries failures with backoff and dead-letters poison messages with a reason.
 * Survives reconnects (it re-declares and re-subscribes).
 *
 * @example
 * const consumer = await startConsumer({
 *   connection, service: 'enrollment', metrics, logger,
 *   handlers: {
 *     'course.published': { 1: (event) => handleOnce(db, 'enrollment', event, (trx) => upsertCourse(trx, event.data)) },
 *   },
 * })
 * // on shutdown
 * await consumer.stop()
 */
export async function startConsumer(options: ConsumerOptions): Promise<Consumer> {
  const exchange = options.exchange ?? DEFAULT_EXCHANGE
  const names = topologyNames(options.service, exchange)
  const logger = options.logger ?? silentLogger
  const tracer = options.tracer ?? trace.getTracer('@lms/events')
  const maxAttempts = options.maxAttempts ?? 5
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const routingKeys = Object.keys(options.handlers)
  const inFlight = new Set<Promise<void>>()
  let channel: ConfirmChannel | undefined
  let acks: AckBatcher | undefined
  let consumerTag: string | undefined
  let stopping = false
  const labels = (type: string) => ({ service: options.service, type })

  const publishConfirmed = (ch: ConfirmChannel, ex: string, key: string, msg: ConsumeMessage, headers: Record<string, unknown>) =>
    new Promise<void>((resolve, reject) => {
      const props: Options.Publish = {
        persistent: true,
        mandatory: true,
        messageId: msg.properties.messageId,
        type: msg.properties.type,
        contentType: msg.properties.contentType ?? 'application/json',
        appId: msg.properties.appId,
        timestamp: msg.properties.timestamp,
        headers,
      }
      try {
        ch.publish(ex, key, msg.content, props, (err) => (err ? reject(err) : resolve()))
      } catch (err) {
        reject(err)
      }
    })

  const baseHeaders = (msg: ConsumeMessage) => {
    const {
      'x-death': _d,
      'x-first-death-exchange': _e,
      'x-first-death-queue': _q,
      'x-first-death-reason': _r,
      'x-delivery-count': _c,
      ...rest
    } = (msg.properties.headers ?? {}) as Record<string, unknown>
    return { ...rest, [HEADERS.routingKey]: originalRoutingKey(msg) }
  }

  const deadLetter = async (
    ch: ConfirmChannel,
    acker: AckBatcher,
    msg: ConsumeMessage,
    reason: DeadLetterReason,
    detail: string,
    attempt: number,
    type: string,
  ) => {
    await publishConfirmed(ch, names.deadLetterExchange, names.deadLetterQueue, msg, {
      ...baseHeaders(msg),
      [HEADERS.attempt]: attempt,
      [HEADERS.deadLetterReason]: reason,
      [HEADERS.deadLetterDetail]: detail.slice(0, 2000),
      [HEADERS.deadLetteredAt]: new Date().toISOString(),
      [HEADERS.deadLetteredBy]: options.service,
    })
    acker.ack(msg)
    options.metrics?.deadLettered.inc({ ...labels(type), reason })
    options.metrics?.consumed.inc({ ...labels(type), outcome: 'dead_lettered' })
    logger.warn({ messageId: msg.properties.messageId, type, reason, detail, attempt }, 'event dead-lettered')
  }

  const handle = async (ch: ConfirmChannel, acker: AckBatcher, msg: ConsumeMessage): Promise<void> => {
    const headers = (msg.properties.headers ?? {}) as Record<string, unknown>
    const attempt = Number(headers[HEADERS.attempt] ?? 1) || 1
    const key = originalRoutingKey(msg)
    let body: unknown
    try {
      body = JSON.parse(msg.content.toString('utf8'))
    } catch (err) {
      return deadLetter(ch, acker, msg, 'invalid_json', (err as Error).message, attempt, key)
    }
    let event: EventEnvelope
    try {
      event = validateEnvelope(body) as EventEnvelope
    } catch (err) {
      if (!(err instanceof EventValidationError)) throw err
      return deadLetter(ch, acker, msg, err.reason, err.message, attempt, key)
    }
    const handler = (options.handlers as Record<string, Record<number, EventHandler<EventType>> | undefined>)[event.type]?.[event.version]
    if (!handler) {
      const reason = options.handlers[event.type] ? 'unknown_version' : 'unknown_type'
      return deadLetter(ch, acker, msg, reason, `${options.service} has no handler for ${event.type} v${event.version}`, attempt, event.type)
    }
    const parent = restoreTraceContext(headers)
    const span = tracer.startSpan(
      `${event.type} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'process',
          'messaging.destination.name': names.queue,
          'messaging.rabbitmq.destination.routing_key': event.type,
          'messaging.message.id': event.id,
          'lms.event.attempt': attempt,
        },
      },
      parent,
    )
    const stopTimer = options.metrics?.handleDuration.startTimer(labels(event.type))
    let result: unknown
    try {
      result = await context.with(trace.setSpan(parent, span), () => handler(event, { attempt, message: msg, channel: ch, span }))
    } catch (err) {
      span.recordException(err as Error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message })
      span.end()
      stopTimer?.()
      if (attempt >= maxAttempts) return deadLetter(ch, acker, msg, 'handler_failed', (err as Error).stack ?? String(err), attempt, event.type)
      await publishConfirmed(ch, '', names.retryQueue(attempt), msg, {
        ...baseHeaders(msg),
        [HEADERS.attempt]: attempt + 1,
        [HEADERS.lastError]: String((err as Error).message ?? err).slice(0, 1000),
      })
      acker.ack(msg)
      options.metrics?.retried.inc(labels(event.type))
      options.metrics?.consumed.inc({ ...labels(event.type), outcome: 'retried' })
      logger.warn({ err, eventId: event.id, type: event.type, attempt }, 'event handler failed; retry scheduled')
      return
    }
    span.end()
    stopTimer?.()
    acker.ack(msg)
    options.metrics?.consumed.inc({ ...labels(event.type), outcome: result === 'duplicate' ? 'duplicate' : 'success' })
  }

  const onMessage = (ch: ConfirmChannel, acker: AckBatcher) => (msg: ConsumeMessage | null) => {
    if (!msg) {
      logger.warn({ queue: names.queue }, 'consumer cancelled by the broker')
      return
    }
    acker.delivered(msg)
    const p = handle(ch, acker, msg)
      .catch((err) => logger.error({ err, messageId: msg.properties.messageId }, 'event left unacked; the broker redelivers it'))
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }

  const open = async (conn: NonNullable<AmqpConnection['connection']>) => {
    if (stopping) return
    const ch = await conn.createConfirmChannel()
    ch.on('error', (err: Error) => logger.warn({ err }, 'consumer channel error'))
    ch.on('close', () => {
      if (channel !== ch) return
      channel = undefined
      // A channel closed under a live connection (error, or a test killing it) is reopened here;
      // after a lost connection the connection manager's setup does it.
      const live = options.connection.connection
      if (!stopping && live === conn) setTimeout(() => void open(conn).catch((err) => logger.error({ err }, 'consumer reopen failed')), 100)
    })
    await declareServiceTopology(ch, {
      service: options.service,
      exchange,
      routingKeys,
      maxAttempts,
      backoff,
      deliveryLimit: options.deliveryLimit,
    })
    await ch.prefetch(options.prefetch ?? 16)
    const acker = new AckBatcher(ch)
    channel = ch
    acks = acker
    consumerTag = (await ch.consume(names.queue, onMessage(ch, acker), { noAck: false })).consumerTag
  }

  const unregister = await options.connection.onConnect(open)
  await options.connection.start()

  return {
    names,
    async stop() {
      stopping = true
      unregister()
      const ch = channel
      if (ch && consumerTag) await ch.cancel(consumerTag).catch(() => {})
      await Promise.allSettled([...inFlight])
      if (channel === ch) acks?.flush()
      channel = undefined
      if (ch) await ch.close().catch(() => {})
    },
  }
}

function originalRoutingKey(msg: ConsumeMessage): string {
  const h = msg.properties.headers?.[HEADERS.routingKey]
  return typeof h === 'string' ? h : Buffer.isBuffer(h) ? h.toString('utf8') : msg.fields.routingKey
}
