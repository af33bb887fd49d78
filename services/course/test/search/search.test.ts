import t from 'tap'
import { build, code, publish, type Built, type Caller } from '../helper.js'

async function publishedCourse(built: Built, owner: Caller, admin: Caller, body: Record<string, unknown>, lessonTitle = 'Getting started') {
  const c = await built.app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { code: code(), ...body } })
  const id = c.json().id as string
  const m = await built.app.inject({ method: 'POST', url: `/api/v1/courses/${id}/modules`, headers: owner.headers, payload: { title: 'Basics' } })
  await built.app.inject({ method: 'POST', url: `/api/v1/courses/${id}/modules/${m.json().id}/lessons`, headers: owner.headers, payload: { title: lessonTitle } })
  await publish(built, id, admin)
  return id
}

t.test('search and lists', async (t) => {
  const built = await build(t)
  const { app, as } = built
  const owner = as('instructor')
  const admin = as('admin')
  const cafe = await publishedCourse(built, owner, admin, { title: 'Café crème pour débutants', description: 'Le café', tags: ['cuisine'], language: 'fr', price: 20 })
  const python = await publishedCourse(built, owner, admin, { title: 'Python for data science', description: 'pandas and numpy', tags: ['python', 'data'], difficultyLevel: 'intermediate', price: 50 })
  const mention = await publishedCourse(built, owner, admin, { title: 'Data engineering', description: 'Pipelines, some python scripting too', tags: ['data'], price: 80 })
  const lessonOnly = await publishedCourse(built, owner, admin, { title: 'Automation', description: 'robots' }, 'Pythonic loops')
  const draft = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'Python secret draft', code: code() } })

  const search = async (q: string) => (await app.inject({ method: 'GET', url: `/api/v1/courses/search?q=${encodeURIComponent(q)}` })).json()

  await t.test('diacritics are folded both ways (200)', async (t) => {
    t.same((await search('cafe creme')).items.map((c: { id: string }) => c.id), [cafe])
    t.same((await search('CAFÉ')).items.map((c: { id: string }) => c.id), [cafe])
    t.same((await search('debutants')).items.map((c: { id: string }) => c.id), [cafe])
  })

  await t.test('title matches outrank tag, lesson-title and description matches; drafts never show', async (t) => {
    const ids = (await search('python')).items.map((c: { id: string }) => c.id)
    t.equal(ids[0], python)
    t.ok(ids.includes(mention))
    t.ok(ids.includes(lessonOnly), 'a prefix of a lesson title matches')
    t.notOk(ids.includes(draft.json().id))
    t.ok(ids.indexOf(mention) > 0)
  })

  await t.test('prefixes match for type-ahead and every word must match', async (t) => {
    t.same((await search('pyt da')).items.map((c: { id: string }) => c.id).slice(0, 1), [python])
    t.same((await search('data engin')).items.map((c: { id: string }) => c.id), [mention])
    t.same((await search('zzzz')).items, [])
    t.same((await search('a')).items, [], 'one-letter words are ignored')
  })

  await t.test('search pages with a cursor and rejects unknown parameters (400)', async (t) => {
    const first = (await app.inject({ method: 'GET', url: '/api/v1/courses/search?q=python&limit=1' })).json()
    t.equal(first.items.length, 1)
    t.type(first.nextCursor, 'string')
    const second = (await app.inject({ method: 'GET', url: `/api/v1/courses/search?q=python&limit=1&cursor=${first.nextCursor}` })).json()
    t.not(second.items[0].id, first.items[0].id)
    t.equal((await app.inject({ method: 'GET', url: '/api/v1/courses/search?q=python&x=1' })).statusCode, 400)
    t.equal((await app.inject({ method: 'GET', url: '/api/v1/courses/search' })).statusCode, 400)
  })

  await t.test('lists filter by tag, difficulty, language, instructor and price range', async (t) => {
    const list = async (qs: string) => (await app.inject({ method: 'GET', url: `/api/v1/courses?${qs}` })).json().items.map((c: { id: string }) => c.id)
    t.same((await list('tag=data')).sort(), [python, mention].sort())
    t.same(await list('difficultyLevel=intermediate'), [python])
    t.same(await list('language=fr'), [cafe])
    t.same((await list(`instructorId=${owner.id}`)).length, 4)
    t.same((await list('minPrice=30&maxPrice=60')), [python])
  })

  await t.test('lists sort by newest and title and page with an opaque cursor', async (t) => {
    const newest = (await app.inject({ method: 'GET', url: '/api/v1/courses?sort=newest' })).json().items.map((c: { id: string }) => c.id)
    t.same(newest, [lessonOnly, mention, python, cafe])
    const byTitle = (await app.inject({ method: 'GET', url: '/api/v1/courses?sort=title' })).json().items.map((c: { title: string }) => c.title)
    t.same(byTitle, ['Automation', 'Café crème pour débutants', 'Data engineering', 'Python for data science'])
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: { items: Array<{ id: string }>; nextCursor: string | null } = (await app.inject({ method: 'GET', url: `/api/v1/courses?sort=title&limit=3${cursor ? `&cursor=${cursor}` : ''}` })).json()
      seen.push(...res.items.map((c) => c.id))
      cursor = res.nextCursor
    } while (cursor)
    t.equal(seen.length, 4)
    t.equal(new Set(seen).size, 4)
    t.equal((await app.inject({ method: 'GET', url: '/api/v1/courses?cursor=%%%' })).statusCode, 400)
    t.equal((await app.inject({ method: 'GET', url: '/api/v1/courses?sort=price' })).statusCode, 400)
  })

  await t.test('drafts appear in lists only for their instructor and admins', async (t) => {
    const ids = async (caller?: Caller) => (await app.inject({ method: 'GET', url: '/api/v1/courses?limit=100', ...(caller ? { headers: caller.headers } : {}) })).json().items.map((c: { id: string }) => c.id)
    t.ok((await ids(owner)).includes(draft.json().id))
    t.ok((await ids(admin)).includes(draft.json().id))
    t.notOk((await ids(as('instructor'))).includes(draft.json().id))
    t.notOk((await ids(as('student'))).includes(draft.json().id))
    t.notOk((await ids()).includes(draft.json().id))
  })
})
