import type { Redis } from 'ioredis'
import type { NotificationPublisher } from '../notifications/service.js'
import { toNotification, type Notification } from '../notifications/schemas.js'
import type { NotificationRow } from '../notifications/table.js'

const CHANNEL_PREFIX = 'notification:user:'

/** One open stream (SSE or WebSocket) of one person. */
export interface Subscriber {
  /** Returns false when the client is too slow: the hub then drops it. */
  deliver(notification: Notification): boolean
  drop(reason: string): void
}

/**
 * Fan-out through Redis pub/sub: every replica subscribes to
 * `notification:user:*` and hands each message to the streams of that person
 * it holds, so a client connected anywhere gets its notifications.
 */
export class RealtimeHub implements NotificationPublisher {
  private readonly subscribers = new Map<string, Set<Subscriber>>()
  private readonly sub: Redis
  private started: Promise<unknown> | undefined

  constructor(private readonly redis: Redis, private readonly onDrop: (reason: string) => void = () => {}) {
    this.sub = redis.duplicate({ connectionName: 'notification-sub' })
    this.sub.on('pmessage', (_pattern: string, channel: string, message: string) => this.dispatch(channel.slice(CHANNEL_PREFIX.length), message))
  }

  start() {
    this.started ??= this.sub.psubscribe(`${CHANNEL_PREFIX}*`)
    return this.started
  }

  async publish(rows: NotificationRow[]) {
    if (rows.length === 0) return
    const pipeline = this.redis.pipeline()
    for (const row of rows) pipeline.publish(CHANNEL_PREFIX + row.userId, JSON.stringify(toNotification(row)))
    await pipeline.exec()
  }

  add(userId: string, subscriber: Subscriber) {
    let set = this.subscribers.get(userId)
    if (!set) this.subscribers.set(userId, (set = new Set()))
    set.add(subscriber)
  }

  remove(userId: string, subscriber: Subscriber) {
    const set = this.subscribers.get(userId)
    if (!set) return
    set.delete(subscriber)
    if (set.size === 0) this.subscribers.delete(userId)
  }

  connections() {
    let n = 0
    for (const set of this.subscribers.values()) n += set.size
    return n
  }

  async close() {
    for (const set of this.subscribers.values()) for (const s of set) s.drop('shutdown')
    this.subscribers.clear()
    this.sub.disconnect()
  }

  private dispatch(userId: string, message: string) {
    const set = this.subscribers.get(userId)
    if (!set) return
    const notification = JSON.parse(message) as Notification
    for (const subscriber of [...set]) {
      if (!subscriber.deliver(notification)) {
        this.remove(userId, subscriber)
        subscriber.drop('slow client')
        this.onDrop('slow_client')
      }
    }
  }
}
