import type { ConfirmChannel, GetMessage } from 'amqplib'
import type { AmqpConnection } from './connection.js'
import { HEADERS } from './consumer.js'
import { DEFAULT_EXCHANGE, topologyNames } from './topology.js'

/** One message in a service's dead-letter queue. */
export interface DeadLetter {
  messageId: string | undefined
  type: string | undefined
  routingKey: string
  reason: string
  detail: string | undefined
  attempts: number | undefined
  deadLetteredAt: string | undefined
  body: string
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v)
}

function describe(msg: GetMessage): DeadLetter {
  const h = (msg.properties.headers ?? {}) as Record<string, unknown>
  const death = (h['x-death'] as Array<Record<string, unknown>> | undefined)?.[0]
  return {
    messageId: msg.properties.messageId as string | undefined,
    type: msg.properties.type as string | undefined,
    routingKey: str(h[HEADERS.routingKey]) ?? (death?.['routing-keys'] as string[] | undefined)?.[0] ?? msg.fields.routingKey,
    // Messages the broker dead-lettered itself (delivery limit) carry only x-death.
    reason: str(h[HEADERS.deadLetterReason]) ?? (death ? `broker:${str(death.reason)}` : 'unknown'),
    detail: str(h[HEADERS.deadLetterDetail]),
    attempts: h[HEADERS.attempt] !== undefined ? Number(h[HEADERS.attempt]) : undefined,
    deadLetteredAt: str(h[HEADERS.deadLetteredAt]),
    body: msg.content.toString('utf8'),
  }
}

/** Reads up to `limit` messages and hands them back; closing the channel returns every unacked one. */
async function withDlq<R>(connection: AmqpConnection, fn: (ch: ConfirmChannel) => Promise<R>): Promise<R> {
  const conn = await connection.waitForConnection(10_000)
  const ch = await conn.createConfirmChannel()
  ch.on('error', () => {})
  try {
    return await fn(ch)
  } finally {
    await ch.close().catch(() => {})
  }
}

/**
 * Lists (without removing) the messages in `<service>.events.dlq` with their dead-letter reasons.
 *
 * @example
 * for (const m of await listDeadLetters({ connection, service: 'enrollment' })) console.log(m.messageId, m.reason)
 */
export async function listDeadLetters(options: { connection: AmqpConnection; service: string; limit?: number }): Promise<DeadLetter[]> {
  const names = topologyNames(options.service)
  return withDlq(options.connection, async (ch) => {
    const { messageCount } = await ch.checkQueue(names.deadLetterQueue)
    const out: DeadLetter[] = []
    for (let i = 0; i < Math.min(messageCount, options.limit ?? 1000); i++) {
      const msg = await ch.get(names.deadLetterQueue, { noAck: false })
      if (!msg) break
      out.push(describe(msg))
    }
    return out
  })
}

/**
 * Moves chosen dead letters (by message id; all when `ids` is empty) back for another try, with the
 * attempt counter reset. By default they go to the service's own queue only (through its retry
 * exchange, keeping the original routing key in a header); `fanout: true` republishes them to the
 * topic exchange with the original routing key, so every bound service receives them again.
 * Returns the ids moved.
 *
 * @example
 * await republishDeadLetters({ connection, service: 'enrollment', ids: ['0190…'] })
 */
export async function republishDeadLetters(options: {
  connection: AmqpConnection
  service: string
  ids?: string[]
  exchange?: string
  fanout?: boolean
}): Promise<string[]> {
  const names = topologyNames(options.service, options.exchange ?? DEFAULT_EXCHANGE)
  const wanted = new Set(options.ids ?? [])
  return withDlq(options.connection, async (ch) => {
    const { messageCount } = await ch.checkQueue(names.deadLetterQueue)
    const moved: string[] = []
    for (let i = 0; i < messageCount; i++) {
      const msg = await ch.get(names.deadLetterQueue, { noAck: false })
      if (!msg) break
      const id = msg.properties.messageId as string | undefined
      if (wanted.size && (!id || !wanted.has(id))) continue
      const dl = describe(msg)
      const {
        [HEADERS.deadLetterReason]: _r,
        [HEADERS.deadLetterDetail]: _d,
        [HEADERS.deadLetteredAt]: _a,
        [HEADERS.deadLetteredBy]: _b,
        [HEADERS.attempt]: _n,
        [HEADERS.lastError]: _e,
        'x-death': _x,
        'x-first-death-exchange': _fe,
        'x-first-death-queue': _fq,
        'x-first-death-reason': _fr,
        'x-delivery-count': _c,
        ...headers
      } = (msg.properties.headers ?? {}) as Record<string, unknown>
      const [exchange, key] = options.fanout ? [names.exchange, dl.routingKey] : [names.retryExchange, names.queue]
      await new Promise<void>((resolve, reject) => {
        ch.publish(
          exchange,
          key,
          msg.content,
          {
            persistent: true,
            mandatory: true,
            messageId: id,
            type: msg.properties.type,
            contentType: msg.properties.contentType,
            appId: msg.properties.appId,
            timestamp: msg.properties.timestamp,
            headers: { ...headers, [HEADERS.routingKey]: dl.routingKey },
          },
          (err) => (err ? reject(err) : resolve()),
        )
      })
      ch.ack(msg)
      if (id) moved.push(id)
    }
    return moved
  })
}
