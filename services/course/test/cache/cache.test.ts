import t from 'tap'
import { build, courseWithLesson, metric, publish } from '../helper.js'

t.test('course cache', async (t) => {
  const built = await build(t)
  const { app, as, redis, prefix } = built
  const owner = as('instructor')
  const admin = as('admin')
  const student = as('student')
  const { id } = await courseWithLesson(built, owner)
  await publish(built, id, admin)

  await t.test('a read after a write is a hit served from Redis under course:{id} with a TTL of 30 min', async (t) => {
    const hits = await metric(app, 'course_cache_requests_total', { cache: 'course', result: 'hit' })
    const res = await app.inject({ method: 'GET', url: `/api/v1/courses/${id}`, headers: student.headers })
    t.equal(res.statusCode, 200)
    t.equal(await metric(app, 'course_cache_requests_total', { cache: 'course', result: 'hit' }), hits + 1)
    const ttl = await redis.ttl(`${prefix}course:${id}`)
    t.ok(ttl > 1700 && ttl <= 1800, `ttl ${ttl}`)
    t.ok((await redis.ttl(`${prefix}lessons:course:${id}`)) > 1700)
  })

  await t.test('a cold key is a miss, then a hit; N concurrent cold reads load MongoDB once', async (t) => {
    await redis.del(`${prefix}course:${id}`)
    const misses = await metric(app, 'course_cache_requests_total', { cache: 'course', result: 'miss' })
    const loads = await metric(app, 'course_cache_loads_total', { cache: 'course' })
    const results = await Promise.all(Array.from({ length: 25 }, () => app.inject({ method: 'GET', url: `/api/v1/courses/${id}` })))
    t.ok(results.every((r) => r.statusCode === 200))
    t.equal(await metric(app, 'course_cache_loads_total', { cache: 'course' }), loads + 1, 'one MongoDB read for 25 concurrent misses')
    t.ok((await metric(app, 'course_cache_requests_total', { cache: 'course', result: 'miss' })) > misses)
  })

  await t.test('a write refreshes the cached course; a stale loader cannot overwrite it', async (t) => {
    await app.inject({ method: 'GET', url: `/api/v1/courses/${id}` })
    const upd = await app.inject({ method: 'PUT', url: `/api/v1/courses/${id}`, headers: owner.headers, payload: { title: 'Renamed' } })
    t.equal(upd.statusCode, 200)
    const read = await app.inject({ method: 'GET', url: `/api/v1/courses/${id}` })
    t.equal(read.json().title, 'Renamed')
    t.equal(read.headers.etag, upd.headers.etag)
    const version = upd.json().version as number
    await built.services.cache.putVersioned(`${prefix}course:${id}`, { version: version - 1, status: 'published', instructorId: owner.id, json: '{"title":"stale"}' })
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/courses/${id}` })).json().title, 'Renamed')
  })

  await t.test('list first pages are cached 5 min and invalidated by a write or a publish', async (t) => {
    const first = await app.inject({ method: 'GET', url: '/api/v1/courses?limit=5' })
    t.equal(first.statusCode, 200)
    const hits = await metric(app, 'course_cache_requests_total', { cache: 'list', result: 'hit' })
    await app.inject({ method: 'GET', url: '/api/v1/courses?limit=5' })
    t.equal(await metric(app, 'course_cache_requests_total', { cache: 'list', result: 'hit' }), hits + 1)
    const keys = await redis.keys(`${prefix}courses:list:*`)
    t.ok(keys.length > 0)
    const ttl = await redis.ttl(keys[0]!)
    t.ok(ttl > 250 && ttl <= 300, `ttl ${ttl}`)
    const other = await courseWithLesson(built, owner, { title: 'Fresh arrival' })
    await publish(built, other.id, admin)
    const after = await app.inject({ method: 'GET', url: '/api/v1/courses?limit=5' })
    t.equal(after.json().items[0].id, other.id, 'the newly published course shows up at once')
  })

  await t.test('search pages take their courses from the cached entries: a warm course costs no MongoDB read (200)', async (t) => {
    const found = await courseWithLesson(built, owner, { title: 'Zanzibar spice trading' })
    await publish(built, found.id, admin)
    const search = async () => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/courses/search?q=zanzibar' })
      t.equal(res.statusCode, 200)
      return res.json().items as Array<Record<string, unknown>>
    }
    const loads = await metric(app, 'course_cache_loads_total', { cache: 'course' })
    const items = await search()
    t.same(items.map((c) => c.id), [found.id])
    t.match(items[0], { title: 'Zanzibar spice trading', status: 'published', instructorId: owner.id, score: Number })
    t.notOk('modules' in items[0]!, 'a summary, without the outline')
    t.equal(await metric(app, 'course_cache_loads_total', { cache: 'course' }), loads, 'the entry the publish wrote through served it')

    await redis.del(`${prefix}course:${found.id}`)
    await redis.incr(`${prefix}courses:gen`)
    t.same((await search()).map((c) => c.id), [found.id])
    t.equal(await metric(app, 'course_cache_loads_total', { cache: 'course' }), loads + 1, 'a cold entry is read from MongoDB once')
    t.ok(await redis.exists(`${prefix}course:${found.id}`), 'and cached for the next page')
  })

  await t.test('search pages are cached per normalised query, cursor and limit; a publish, a rename or an archive shows in the next search (200)', async (t) => {
    const search = async (qs: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/courses/search?${qs}` })
      t.equal(res.statusCode, 200)
      return res.json() as { items: Array<{ id: string; title: string }>; nextCursor: string | null }
    }
    const hits = () => metric(app, 'course_cache_requests_total', { cache: 'search', result: 'hit' })
    const a = await courseWithLesson(built, owner, { title: 'Quokka photography basics' })
    await publish(built, a.id, admin)
    const first = await search('q=quokka%20photography&limit=1')
    t.same(first.items.map((c) => c.id), [a.id])
    const before = await hits()
    t.same(await search('q=PHOTOGRAPHY%20Quokka&limit=1'), first, 'another word order and case is the same page')
    t.equal(await hits(), before + 1, 'served from the cache')
    t.equal((await redis.keys(`${prefix}courses:search:*`)).length > 0, true)

    const b = await courseWithLesson(built, owner, { title: 'Quokka photography advanced' })
    await publish(built, b.id, admin)
    const both = await search('q=quokka%20photography&limit=1')
    t.type(both.nextCursor, 'string', 'the publish shows at once: a second result')
    const next = `q=quokka%20photography&limit=1&cursor=${both.nextCursor}`
    const second = await search(next)
    const beforeCursor = await hits()
    t.same(await search(next), second)
    t.equal(await hits(), beforeCursor + 1, 'a cursor page is cached too')
    t.same(new Set([...both.items, ...second.items].map((c) => c.id)), new Set([a.id, b.id]))

    await app.inject({ method: 'PUT', url: `/api/v1/courses/${b.id}`, headers: owner.headers, payload: { title: 'Wombat photography advanced' } })
    t.same((await search('q=quokka%20photography&limit=1')).nextCursor, null, 'a rename shows at once')
    t.same((await search('q=wombat')).items.map((c) => c.id), [b.id])
    await app.inject({ method: 'POST', url: `/api/v1/courses/${a.id}/archive`, headers: owner.headers })
    t.same((await search('q=quokka%20photography&limit=1')).items, [], 'an archive shows at once')
  })

  await t.test('anonymous, student, instructor and admin share the public search page, drafts never in it; list pages stay per scope (200)', async (t) => {
    const other = as('instructor')
    const draft = await courseWithLesson(built, owner, { title: 'Platypus husbandry draft' })
    const live = await courseWithLesson(built, owner, { title: 'Platypus husbandry' })
    await publish(built, live.id, admin)
    const callers = [undefined, student, owner, other, admin]
    for (const round of ['cold', 'warm']) {
      for (const caller of callers) {
        const res = await app.inject({ method: 'GET', url: '/api/v1/courses/search?q=platypus', ...(caller ? { headers: caller.headers } : {}) })
        t.same(res.json().items.map((c: { id: string }) => c.id), [live.id], `${round}: ${caller?.role ?? 'anonymous'} sees only the published course`)
      }
    }
    const listed = async (caller: typeof owner | undefined) => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/courses?limit=100', ...(caller ? { headers: caller.headers } : {}) })
      return res.json().items.map((c: { id: string }) => c.id) as string[]
    }
    for (const round of ['cold', 'warm']) {
      t.ok((await listed(owner)).includes(draft.id), `${round}: the owner's list has the draft`)
      t.ok((await listed(admin)).includes(draft.id), `${round}: the admin's list has the draft`)
      for (const caller of [undefined, student, other]) {
        const ids = await listed(caller)
        t.ok(ids.includes(live.id) && !ids.includes(draft.id), `${round}: ${caller?.role ?? 'anonymous'} gets published courses only`)
      }
    }
  })

  await t.test('an archived course disappears from public reads and search at once', async (t) => {
    await app.inject({ method: 'GET', url: `/api/v1/courses/${id}` })
    t.ok((await app.inject({ method: 'GET', url: '/api/v1/courses/search?q=renamed' })).json().items.some((c: { id: string }) => c.id === id), 'found while published')
    await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/archive`, headers: owner.headers })
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/courses/${id}` })).statusCode, 404)
    t.notOk((await app.inject({ method: 'GET', url: '/api/v1/courses?limit=50' })).json().items.some((c: { id: string }) => c.id === id))
    t.notOk((await app.inject({ method: 'GET', url: '/api/v1/courses/search?q=renamed' })).json().items.some((c: { id: string }) => c.id === id))
  })

  await t.test('a hard-deleted draft is not served from the cache afterwards (404)', async (t) => {
    const draft = await courseWithLesson(built, owner)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/courses/${draft.id}`, headers: owner.headers })).statusCode, 200)
    await app.inject({ method: 'DELETE', url: `/api/v1/courses/${draft.id}`, headers: owner.headers })
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/courses/${draft.id}`, headers: owner.headers })).statusCode, 404)
  })
})

t.test('with the cache disabled every read goes to MongoDB and nothing is written to Redis', async (t) => {
  const built = await build(t, { CACHE_ENABLED: 'false' })
  const owner = built.as('instructor')
  const { id } = await courseWithLesson(built, owner)
  const loads = await metric(built.app, 'course_cache_loads_total', { cache: 'course' })
  await built.app.inject({ method: 'GET', url: `/api/v1/courses/${id}`, headers: owner.headers })
  await built.app.inject({ method: 'GET', url: `/api/v1/courses/${id}`, headers: owner.headers })
  t.equal(await metric(built.app, 'course_cache_loads_total', { cache: 'course' }), loads + 2)
  t.same(await built.redis.keys(`${built.prefix}*`), [])
})
