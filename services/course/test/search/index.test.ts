import t from 'tap'
import { migrate } from '../../src/migrate.js'
import { INDEXED, POSTINGS } from '../../src/search/index-store.js'
import { build, code, courseWithLesson, publish } from '../helper.js'

t.test('search index (search_postings) follows every write', async (t) => {
  const built = await build(t)
  const { app, as, db } = built
  const owner = as('instructor')
  const admin = as('admin')
  // `limit` varies the cache key (first pages are cached in Redis) where a test changes the index behind the service.
  const ids = async (q: string, limit = 20) => (await app.inject({ method: 'GET', url: `/api/v1/courses/search?q=${encodeURIComponent(q)}&limit=${limit}` })).json().items.map((c: { id: string }) => c.id)
  const etag = async (id: string) => (await app.inject({ method: 'GET', url: `/api/v1/courses/${id}`, headers: owner.headers })).headers.etag as string

  await t.test('a draft is not indexed; publishing indexes it (200 with the course)', async (t) => {
    const { id } = await courseWithLesson(built, owner, { title: 'Quokka husbandry' })
    t.same(await ids('quokka'), [])
    t.equal(await db.collection(INDEXED).countDocuments({ _id: id as never }), 0)
    await publish(built, id, admin)
    t.same(await ids('quokka'), [id])
    t.same(await ids('quok husb'), [id], 'prefixes of every word')
  })

  await t.test('an update replaces the old words: no stale hit for the old title (200)', async (t) => {
    const { id } = await courseWithLesson(built, owner, { title: 'Zebrafish genetics' })
    await publish(built, id, admin)
    t.same(await ids('zebrafish'), [id])
    const put = await app.inject({ method: 'PUT', url: `/api/v1/courses/${id}`, headers: { ...admin.headers, 'if-match': await etag(id) }, payload: { title: 'Axolotl genetics' } })
    t.equal(put.statusCode, 200)
    t.same(await ids('zebrafish'), [], 'old word gone')
    t.same(await ids('zebr'), [], 'old prefix gone')
    t.same(await ids('axolotl'), [id])
    t.same(await ids('genetics'), [id], 'unchanged word kept')
    const posting = await db.collection<{ _id: string; p: string }>(POSTINGS).findOne({ _id: 'zebrafish' })
    t.notOk(posting?.p.includes(id), 'no posting entry left for the course')
  })

  await t.test('a lesson title change reaches the index (201/200)', async (t) => {
    const { id, moduleId, lessonId } = await courseWithLesson(built, owner, { title: 'Pond life' })
    await publish(built, id, admin)
    const res = await app.inject({ method: 'PUT', url: `/api/v1/courses/${id}/modules/${moduleId}/lessons/${lessonId}`, headers: admin.headers, payload: { title: 'Newts and tadpoles' } })
    t.equal(res.statusCode, 200)
    t.same(await ids('tadpoles'), [id])
    const [hit] = (await app.inject({ method: 'GET', url: '/api/v1/courses/search?q=pond' })).json().items
    const [lessonHit] = (await app.inject({ method: 'GET', url: '/api/v1/courses/search?q=tadpoles' })).json().items
    t.ok(hit.score > lessonHit.score, 'title outweighs lesson title')
  })

  await t.test('archiving removes the course from the index (200, then no hit)', async (t) => {
    const { id } = await courseWithLesson(built, owner, { title: 'Wombat burrows' })
    await publish(built, id, admin)
    t.same(await ids('wombat'), [id])
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/archive`, headers: owner.headers })).statusCode, 200)
    t.same(await ids('wombat'), [])
    t.equal(await db.collection(INDEXED).countDocuments({ _id: id as never }), 0)
  })

  await t.test('courses published at the same time sharing words are all indexed (no lost posting)', async (t) => {
    const made = await Promise.all(Array.from({ length: 6 }, () => courseWithLesson(built, owner, { title: 'Capybara social behaviour', code: code('K') })))
    await Promise.all(made.map((m) => publish(built, m.id, admin)))
    t.same((await ids('capybara')).sort(), made.map((m) => m.id).sort())
    t.same((await ids('capy soc')).sort(), made.map((m) => m.id).sort())
  })

  await t.test('words longer than 15 characters match exactly and by their first 15 characters (200)', async (t) => {
    const { id } = await courseWithLesson(built, owner, { title: 'Internationalization basics' })
    await publish(built, id, admin)
    t.same(await ids('internationalization'), [id])
    t.same(await ids('internationaliz'), [id])
    t.same(await ids('internationalizat'), [id], 'a 17-character prefix falls back to the 15-character key')
  })

  await t.test('migrate --rebuild-search rebuilds a lost index from the courses', async (t) => {
    const before = await ids('genetics')
    await db.collection(POSTINGS).deleteMany({})
    await db.collection(INDEXED).deleteMany({})
    t.same(await ids('genetics', 19), [])
    await migrate(db, { rebuildSearch: true })
    t.same(await ids('genetics', 18), before)
    t.same(await ids('wombat', 18), [], 'archived stays out')
  })

  await t.test('migrate upgrades from searchKeys: drops the field and its index, builds the index once', async (t) => {
    const upgraded = await build(t)
    const { id } = await courseWithLesson(upgraded, upgraded.as('instructor'), { title: 'Platypus venom' })
    await publish(upgraded, id, upgraded.as('admin'))
    const courses = upgraded.db.collection('courses')
    await courses.updateOne({ _id: id as never }, { $set: { searchKeys: ['platypus'] } })
    await courses.createIndex({ searchKeys: 1 }, { name: 'search_keys' })
    await upgraded.db.collection(POSTINGS).deleteMany({})
    await upgraded.db.collection('migrations').deleteMany({})
    await migrate(upgraded.db)
    const names = (await courses.listIndexes().toArray()).map((i) => i.name)
    t.notOk(names.includes('search_keys'))
    t.equal(await courses.countDocuments({ searchKeys: { $exists: true } }), 0)
    const res = await upgraded.app.inject({ method: 'GET', url: '/api/v1/courses/search?q=platypus' })
    t.same(res.json().items.map((c: { id: string }) => c.id), [id])
  })
})
