import { createHash } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import { Counter, type Registry } from 'prom-client'

/** A course as cached: the fields visibility needs, and the API JSON sent as is. */
export interface CachedCourse {
  version: number
  status: string
  instructorId: string
  json: string
}

export type CacheName = 'course' | 'outline' | 'list' | 'search'

export interface CourseCacheOptions {
  redis: Redis
  prefix: string
  enabled: boolean
  courseTtlSeconds: number
  listTtlSeconds: number
  registry: Registry
  log: FastifyBaseLogger
}

const GONE = Number.MAX_SAFE_INTEGER
const GENERATION_TTL_SECONDS = 86_400

// Sets the value unless the key holds a newer version: a slow reader that loaded
// before a write can never overwrite what the write put there.
const SET_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local v = tonumber(string.match(cur, '^(%d+)|'))
  if v and v > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
return 1
`

// A warm page in one round trip: the generation, then the page stored under it
// (its key embeds the generation, so it is built here; one Redis, not a cluster).
const GET_PAGE = `
local gen = redis.call('GET', KEYS[1]) or '0'
return {gen, redis.call('GET', ARGV[1] .. gen .. ARGV[2])}
`

function encode(entry: CachedCourse): string {
  return `${entry.version}|${entry.status}|${entry.instructorId}|${entry.json}`
}

function decode(raw: string): CachedCourse | null {
  const a = raw.indexOf('|')
  const b = raw.indexOf('|', a + 1)
  const c = raw.indexOf('|', b + 1)
  const version = Number(raw.slice(0, a))
  if (version === GONE) return null
  return { version, status: raw.slice(a + 1, b), instructorId: raw.slice(b + 1, c), json: raw.slice(c + 1) }
}

/**
 * Cache-aside for course detail, outline, first list pages and searches, per
 * the seed's key scheme (`course:{id}`, `lessons:course:{id}`; course data 30
 * min, lists 5 min) under this service's prefix. Concurrent misses on one key
 * share a single MongoDB load (single flight, per process). Redis failures
 * fall back to MongoDB.
 */
export class CourseCache {
  private readonly inflight = new Map<string, Promise<unknown>>()
  private readonly requests: Counter<'cache' | 'result'>
  private readonly loads: Counter<'cache'>
  private readonly pageSha = createHash('sha1').update(GET_PAGE).digest('hex')

  constructor(private readonly opts: CourseCacheOptions) {
    this.requests = new Counter({
      name: 'course_cache_requests_total',
      help: 'Course cache lookups by cache and result (hit, miss, bypass)',
      labelNames: ['cache', 'result'],
      registers: [opts.registry],
    })
    this.loads = new Counter({
      name: 'course_cache_loads_total',
      help: 'MongoDB reads made to answer a cache miss (one per single-flight group)',
      labelNames: ['cache'],
      registers: [opts.registry],
    })
  }

  private key(...parts: string[]): string {
    return this.opts.prefix + parts.join(':')
  }

  courseKey(id: string) { return this.key('course', id) }
  outlineKey(id: string) { return this.key('lessons', 'course', id) }

  private async singleFlight<T>(cache: CacheName, key: string, load: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key) as Promise<T> | undefined
    if (running) return running
    const promise = (async () => {
      this.loads.inc({ cache })
      return load()
    })().finally(() => this.inflight.delete(key))
    this.inflight.set(key, promise)
    return promise
  }

  private async safe<T>(fallback: T, op: () => Promise<T>): Promise<T> {
    try {
      return await op()
    } catch (err) {
      this.opts.log.warn({ err }, 'course cache unavailable')
      return fallback
    }
  }

  /** A versioned entry (course detail or outline): Redis first, else one shared load, then stored. */
  async versioned(cache: 'course' | 'outline', key: string, load: () => Promise<CachedCourse | null>): Promise<CachedCourse | null> {
    if (!this.opts.enabled) {
      this.requests.inc({ cache, result: 'bypass' })
      this.loads.inc({ cache })
      return load()
    }
    const raw = await this.safe<string | null>(null, () => this.opts.redis.get(key))
    if (raw !== null) {
      this.requests.inc({ cache, result: 'hit' })
      return decode(raw)
    }
    this.requests.inc({ cache, result: 'miss' })
    return this.singleFlight(cache, key, async () => {
      const entry = await load()
      if (entry) await this.putVersioned(key, entry)
      return entry
    })
  }

  /** Write-through after a change; older versions never replace newer ones. */
  async putVersioned(key: string, entry: CachedCourse): Promise<void> {
    if (!this.opts.enabled) return
    await this.safe(undefined, async () => {
      await this.opts.redis.eval(SET_IF_NEWER, 1, key, entry.version, encode(entry), this.opts.courseTtlSeconds)
    })
  }

  /** Marks a hard-deleted course gone, so a late reader cannot bring it back. */
  async forget(id: string): Promise<void> {
    if (!this.opts.enabled) return
    const gone = `${GONE}|gone||`
    await this.safe(undefined, async () => {
      await this.opts.redis.eval(SET_IF_NEWER, 1, this.courseKey(id), GONE, gone, this.opts.courseTtlSeconds)
      await this.opts.redis.eval(SET_IF_NEWER, 1, this.outlineKey(id), GONE, gone, this.opts.courseTtlSeconds)
    })
  }

  /** Drops every cached list and search page at once (their keys embed the generation). */
  async invalidateLists(): Promise<void> {
    if (!this.opts.enabled) return
    const gen = this.key('courses', 'gen')
    await this.safe(undefined, async () => {
      await this.opts.redis.multi().incr(gen).expire(gen, GENERATION_TTL_SECONDS).exec()
    })
  }

  private async readPage(head: string, tail: string): Promise<[string, string | null]> {
    const args = [1, this.key('courses', 'gen'), head, tail] as const
    try {
      return await this.opts.redis.evalsha(this.pageSha, ...args) as [string, string | null]
    } catch (err) {
      if (!(err as Error).message.startsWith('NOSCRIPT')) throw err
      return await this.opts.redis.eval(GET_PAGE, ...args) as [string, string | null]
    }
  }

  /**
   * A list or search page, keyed by the caller's scope and the normalised query
   * (cursor and limit included) under the current generation, which every
   * course write bumps: a write shows at once, an older page is never read again.
   */
  async page(cache: 'list' | 'search', scope: string, query: unknown, load: () => Promise<string>): Promise<string> {
    if (!this.opts.enabled) {
      this.requests.inc({ cache, result: 'bypass' })
      this.loads.inc({ cache })
      return load()
    }
    const hash = createHash('sha1').update(JSON.stringify(query)).digest('base64url')
    const found = await this.safe<[string, string | null] | null>(null, () => this.readPage(this.key('courses', cache, ''), `:${scope}:${hash}`))
    if (found === null) {
      this.requests.inc({ cache, result: 'bypass' })
      this.loads.inc({ cache })
      return load()
    }
    const [gen, raw] = found
    if (raw !== null) {
      this.requests.inc({ cache, result: 'hit' })
      return raw
    }
    this.requests.inc({ cache, result: 'miss' })
    const key = this.key('courses', cache, gen, scope, hash)
    return this.singleFlight(cache, key, async () => {
      const json = await load()
      await this.safe(undefined, async () => {
        await this.opts.redis.set(key, json, 'EX', this.opts.listTtlSeconds)
      })
      return json
    })
  }
}
