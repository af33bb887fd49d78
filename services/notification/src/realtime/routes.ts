import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { Kysely } from 'kysely'
import type { WebSocket } from 'ws'
import { problemResponses, type App } from '@lms/kit'
import type { Database } from '../database.js'
import { listSince } from '../notifications/repository.js'
import { toNotification, type Notification } from '../notifications/schemas.js'
import type { RealtimeHub, Subscriber } from './hub.js'

const StreamQuerySchema = Type.Object({
  /** Browsers' EventSource and WebSocket can't set headers; the token is verified exactly like a bearer header. */
  access_token: Type.Optional(Type.String({ maxLength: 4096 })),
  lastEventId: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false })

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const REPLAY_MAX = 500

export interface RealtimeOptions {
  db: Kysely<Database>
  hub: RealtimeHub
  maxBufferBytes: number
  heartbeatMs: number
}

async function tokenFromQuery(request: FastifyRequest) {
  const token = (request.query as { access_token?: string } | undefined)?.access_token
  if (token && !request.headers.authorization) request.headers.authorization = `Bearer ${token}`
}

function lastEventId(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id']
  const value = (typeof header === 'string' ? header : undefined) ?? (request.query as { lastEventId?: string }).lastEventId
  return value && UUID.test(value) ? value.toLowerCase() : undefined
}

/**
 * Attaches a subscriber, then replays what it missed since `after` from the
 * table; live messages arriving meanwhile wait. Live messages are not filtered
 * by id order: replicas publish after their own commits, so a smaller id may
 * arrive after a larger one. Only what the replay sent (or the client had,
 * up to `after`, which `lockStreams` makes a complete prefix) is skipped.
 */
async function attach(opts: RealtimeOptions, userId: string, after: string | undefined, sink: Subscriber) {
  let pending: Notification[] | undefined = after ? [] : undefined
  const replayed = new Set<string>()
  const subscriber: Subscriber = {
    deliver(n) {
      if (pending) {
        pending.push(n)
        return true
      }
      if (replayed.has(n.id) || (after && n.id <= after)) return true
      return sink.deliver(n)
    },
    drop: (reason) => sink.drop(reason),
  }
  opts.hub.add(userId, subscriber)
  if (after) {
    const missed = (await listSince(opts.db, userId, after, REPLAY_MAX)).map(toNotification)
    for (const n of missed) replayed.add(n.id)
    // Published while the replay ran: already in `missed`, or committed before `after` (the client has it).
    const queued = (pending ?? []).filter((n) => !replayed.has(n.id) && n.id > after)
    pending = undefined
    for (const n of queued) replayed.add(n.id)
    for (const n of [...missed, ...queued]) {
      if (!sink.deliver(n)) {
        opts.hub.remove(userId, subscriber)
        sink.drop('slow client')
        break
      }
    }
  }
  return () => opts.hub.remove(userId, subscriber)
}

export async function realtimeRoutes(app: App, opts: RealtimeOptions) {
  app.get('/api/v1/notifications/stream', {
    onRequest: tokenFromQuery,
    preHandler: app.authenticate,
    schema: {
      tags: ['notifications'], summary: 'Server-Sent Events of the caller\'s new notifications (Last-Event-ID replays missed ones)',
      security: [{ bearerAuth: [] }], querystring: StreamQuerySchema,
      response: { 200: { description: 'text/event-stream', type: 'string' }, ...problemResponses },
    },
  }, async (request, reply) => {
    reply.hijack()
    const raw = reply.raw
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
    })
    raw.write('retry: 3000\n\n')
    let closed = false
    const sink: Subscriber = {
      deliver(n) {
        if (closed) return true
        if (raw.writableLength > opts.maxBufferBytes) return false
        raw.write(`id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`)
        return true
      },
      drop() {
        if (closed) return
        closed = true
        raw.destroy()
      },
    }
    const detach = await attach(opts, request.user.id, lastEventId(request), sink)
    const heartbeat = setInterval(() => {
      if (raw.writableLength <= opts.maxBufferBytes) raw.write(': keep-alive\n\n')
    }, opts.heartbeatMs)
    raw.on('close', () => {
      closed = true
      clearInterval(heartbeat)
      detach()
    })
  })

  app.get('/api/v1/notifications/ws', {
    websocket: true,
    onRequest: tokenFromQuery,
    preHandler: app.authenticate,
    schema: {
      tags: ['notifications'], summary: 'WebSocket of the caller\'s new notifications (messages `{type: "notification", notification}`)',
      security: [{ bearerAuth: [] }], querystring: StreamQuerySchema, hide: false,
    },
  }, async (socket: WebSocket, request) => {
    let closed = false
    const sink: Subscriber = {
      deliver(n) {
        if (closed) return true
        if (socket.bufferedAmount > opts.maxBufferBytes) return false
        socket.send(JSON.stringify({ type: 'notification', notification: n }))
        return true
      },
      drop() {
        if (closed) return
        closed = true
        socket.terminate()
      },
    }
    const detach = await attach(opts, request.user.id, lastEventId(request), sink)
    socket.on('close', () => {
      closed = true
      detach()
    })
    socket.send(JSON.stringify({ type: 'ready' }))
  })
}
