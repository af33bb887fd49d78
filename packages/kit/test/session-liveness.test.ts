import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test, type Test } from 'tap'
import { SessionLiveness, createRedis, endSessions } from '../src/index.js'
import { testEnv } from '../src/testing/index.js'

// Every test has its own key prefix, hence its own announcement channel.
async function setup(t: Test, options: { maxAgeMs?: number } = {}) {
  const { redisUrl } = await testEnv()
  const prefix = `t-session-${randomUUID()}:`
  const redis = createRedis(redisUrl, 'kit-test')
  const sessions = new SessionLiveness({ redis, keyPrefix: prefix, ...options })
  await sessions.start()
  t.teardown(async () => {
    await sessions.close()
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })
  const open = async (ttlSeconds = 600) => {
    const sid = randomUUID()
    await redis.set(prefix + sid, 'user-1', 'EX', ttlSeconds)
    return sid
  }
  return { redis, prefix, sessions, open }
}

/** Polls `check` for up to 2 s: an announcement crosses a second connection. */
async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true
    await sleep(20)
  }
  return false
}

test('a session is live while its key exists and not once it never existed', async (t) => {
  const { sessions, open } = await setup(t)
  const sid = await open()
  t.equal(await sessions.isActive(sid), true)
  t.equal(await sessions.isActive(randomUUID()), false, 'an unknown session is not live')
})

test('a live answer is remembered: the key gone without an announcement still reads live until maxAgeMs', async (t) => {
  const { redis, prefix, sessions, open } = await setup(t, { maxAgeMs: 400 })
  const sid = await open()
  t.equal(await sessions.isActive(sid), true)
  await redis.del(prefix + sid)
  t.equal(await sessions.isActive(sid), true, 'served from memory, no Redis round trip')
  await sleep(450)
  t.equal(await sessions.isActive(sid), false, 'asked again once the answer is older than maxAgeMs')
})

test('endSessions ends a remembered session for every reader as its announcement arrives', async (t) => {
  const { redis, prefix, sessions, open } = await setup(t, { maxAgeMs: 60_000 })
  const other = new SessionLiveness({ redis, keyPrefix: prefix, maxAgeMs: 60_000 })
  await other.start()
  t.teardown(() => other.close())
  const [ended, kept] = [await open(), await open()]
  for (const reader of [sessions, other]) {
    t.equal(await reader.isActive(ended), true)
    t.equal(await reader.isActive(kept), true)
  }
  await endSessions(redis, prefix, [ended])
  t.equal(await redis.exists(prefix + ended), 0, 'the key is deleted')
  for (const reader of [sessions, other]) {
    t.ok(await eventually(async () => !(await reader.isActive(ended))), 'the ended session reads ended well before maxAgeMs')
    t.equal(await reader.isActive(kept), true, 'the other session stays live')
  }
})

test('a live answer is never remembered past the key\'s own expiry', async (t) => {
  const { sessions, open } = await setup(t, { maxAgeMs: 60_000 })
  const sid = await open(1)
  t.equal(await sessions.isActive(sid), true)
  await sleep(1100)
  t.equal(await sessions.isActive(sid), false)
})

test('while the subscription is down nothing is remembered; it comes back by itself', async (t) => {
  const { redis, prefix, sessions, open } = await setup(t, { maxAgeMs: 60_000 })
  const sid = await open()
  t.equal(await sessions.isActive(sid), true)
  // This reader's subscriber connection, by the name SessionLiveness gives it (no other test uses it).
  const subscriberIds = async () => String(await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n')
    .filter((line) => line.includes('name=kit-test-sessions-ended')).map((line) => /id=(\d+)/.exec(line)![1]!)
  t.ok((await subscriberIds()).length >= 1, 'the subscriber is connected')
  const killed = await eventually(async () => {
    const ids = await subscriberIds()
    for (const id of ids) await redis.call('CLIENT', 'KILL', 'ID', id)
    // A killed connection's close reaches the client a moment later; the key goes meanwhile, unannounced.
    await redis.del(prefix + sid)
    return !(await sessions.isActive(sid))
  })
  t.ok(killed, 'with the subscription lost, the memory is gone and the deleted key reads ended')
  const next = await open()
  t.equal(await sessions.isActive(next), true)
  t.ok(await eventually(async () => {
    // Remembered again once resubscribed: a deleted key still reads live from memory.
    const probe = await open()
    await sessions.isActive(probe)
    await redis.del(prefix + probe)
    return sessions.isActive(probe)
  }), 'remembering resumes after the subscriber reconnects')
})

test('a reader never started (or closed) asks Redis every time', async (t) => {
  const { redisUrl } = await testEnv()
  const redis = createRedis(redisUrl, 'kit-test')
  t.teardown(() => redis.quit())
  const prefix = `t-session-${randomUUID()}:`
  const unstarted = new SessionLiveness({ redis, keyPrefix: prefix })
  await unstarted.close()
  const sid = randomUUID()
  await redis.set(prefix + sid, 'u', 'EX', 60)
  t.teardown(() => redis.del(prefix + sid))
  t.equal(await unstarted.isActive(sid), true, 'an unstarted reader asks Redis every time')
  await redis.del(prefix + sid)
  t.equal(await unstarted.isActive(sid), false)
})
