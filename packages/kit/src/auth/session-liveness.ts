import type { Redis } from 'ioredis'

/** The channel ended sessions are announced on: the key prefix's own, so prefixes never hear each other. */
export function sessionsEndedChannel(keyPrefix: string): string {
  return `${keyPrefix}ended`
}

/**
 * Ends sessions for every reader at once: deletes their `<prefix><sid>` keys and announces each id on
 * {@link sessionsEndedChannel}, in one MULTI, so no reader can see the key gone without the
 * announcement having been sent. The user service ends sessions through this.
 *
 * @example
 * await endSessions(redis, 'session:', [sid])
 */
export async function endSessions(redis: Redis, keyPrefix: string, sessionIds: string[]): Promise<void> {
  if (sessionIds.length === 0) return
  const multi = redis.multi().del(...sessionIds.map((id) => keyPrefix + id))
  for (const id of sessionIds) multi.publish(sessionsEndedChannel(keyPrefix), id)
  const results = await multi.exec()
  const failed = results?.find(([error]) => error)
  if (!results || failed) throw failed?.[0] ?? new Error('ending sessions was aborted')
}

/** How long {@link SessionLiveness.start} waits for Redis before startup goes on without the subscription. */
const START_WAIT_MS = 2000

export interface SessionLivenessOptions {
  /** The service's client; the subscription runs on a duplicate of it. */
  redis: Redis
  /** Prefix of the user service's session keys (`session:`). */
  keyPrefix: string
  /** The longest a live answer is remembered (30 s), and never past the key's own expiry. */
  maxAgeMs?: number
  /** How many live sessions are remembered at once (10,000; the oldest go first). */
  maxEntries?: number
}

/**
 * Whether a session is still live, for a service checking it on every request without a Redis round
 * trip each time. A live answer is remembered until the session's key expires, for at most
 * `maxAgeMs`; {@link endSessions} announces every ended session and the subscription forgets it as the
 * announcement arrives. While the subscription is down nothing is remembered and every check asks
 * Redis, so a lost announcement cannot keep an ended session alive; an answer that was in flight while
 * a session ended (the announcement can overtake it) is not remembered either.
 *
 * @example
 * const sessions = new SessionLiveness({ redis, keyPrefix: 'session:' })
 * await sessions.start()
 * await app.register(authPlugin, { ..., isSessionActive: (sid) => sessions.isActive(sid) })
 */
export class SessionLiveness {
  private readonly live = new Map<string, number>()
  private subscriber: Redis | undefined
  private listening = false
  /** Moves on every announcement and every loss of the subscription: an answer that saw it move is not remembered. */
  private generation = 0

  constructor(private readonly options: SessionLivenessOptions) {}

  /**
   * Subscribes to announcements (once; a second call does nothing). Resolves once subscribed, or after
   * `START_WAIT_MS` with Redis away: startup does not wait on it, and until the subscription stands
   * every check asks Redis.
   */
  start(): Promise<void> {
    if (this.subscriber) return Promise.resolve()
    const channel = sessionsEndedChannel(this.options.keyPrefix)
    const name = this.options.redis.options.connectionName ?? 'service'
    const subscriber = this.options.redis.duplicate({ autoResubscribe: false, connectionName: `${name}-sessions-ended` })
    this.subscriber = subscriber
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, START_WAIT_MS)
      subscriber.on('message', (_channel: string, sessionId: string) => {
        this.generation++
        this.live.delete(sessionId)
      })
      subscriber.on('close', () => this.forgetAll())
      subscriber.on('error', () => { /* it reconnects by itself; checks ask Redis meanwhile */ })
      // Subscribed again on every (re)connect; remembering starts once Redis confirmed it.
      subscriber.on('ready', () => {
        subscriber.subscribe(channel).then(() => {
          if (subscriber.status !== 'ready') return
          this.listening = true
          clearTimeout(timer)
          resolve()
        }, () => this.forgetAll())
      })
    })
  }

  async isActive(sessionId: string): Promise<boolean> {
    const until = this.live.get(sessionId)
    if (until !== undefined && until > Date.now()) return true
    if (until !== undefined) this.live.delete(sessionId)
    const generation = this.generation
    const ttl = await this.options.redis.pttl(this.options.keyPrefix + sessionId)
    if (ttl === -2) return false
    if (this.listening && generation === this.generation) this.remember(sessionId, ttl)
    return true
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber
    this.subscriber = undefined
    this.forgetAll()
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect())
  }

  private remember(sessionId: string, ttl: number) {
    const maxAge = this.options.maxAgeMs ?? 30_000
    if (this.live.size >= (this.options.maxEntries ?? 10_000)) this.live.delete(this.live.keys().next().value!)
    this.live.set(sessionId, Date.now() + (ttl >= 0 ? Math.min(ttl, maxAge) : maxAge))
  }

  private forgetAll() {
    this.listening = false
    this.generation++
    this.live.clear()
  }
}
