import t from 'tap'
import { build, code } from '../helper.js'

t.test('categories', async (t) => {
  const built = await build(t)
  const { app, as } = built
  const admin = as('admin')
  const instructor = as('instructor')

  await t.test('instructors and admins create categories (201; 403 student; 401 anonymous)', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/categories', headers: as('student').headers, payload: { name: 'X' } })).statusCode, 403)
    const byInstructor = await app.inject({ method: 'POST', url: '/api/v1/categories', headers: instructor.headers, payload: { name: 'Design' } })
    t.equal(byInstructor.statusCode, 201)
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/categories', payload: { name: 'X' } })).statusCode, 401)
    const res = await app.inject({ method: 'POST', url: '/api/v1/categories', headers: admin.headers, payload: { name: 'Programming', description: 'Code' } })
    t.equal(res.statusCode, 201)
    t.match(res.json(), { name: 'Programming', description: 'Code' })
  })

  await t.test('a duplicate name answers 409 (case and accents folded)', async (t) => {
    await app.inject({ method: 'POST', url: '/api/v1/categories', headers: admin.headers, payload: { name: 'Éducation' } })
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/categories', headers: admin.headers, payload: { name: 'education' } })).statusCode, 409)
  })

  await t.test('anyone lists (by name, paged) and reads categories; unknown ids answer 404, bad ids 400', async (t) => {
    const first = await app.inject({ method: 'GET', url: '/api/v1/categories?limit=1' })
    t.equal(first.statusCode, 200)
    t.equal(first.json().items[0].name, 'Design')
    const second = await app.inject({ method: 'GET', url: `/api/v1/categories?limit=1&cursor=${first.json().nextCursor}` })
    t.equal(second.json().items[0].name, 'Éducation')
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/categories/${second.json().items[0].id}` })).statusCode, 200)
    t.equal((await app.inject({ method: 'GET', url: '/api/v1/categories/01890000-0000-7000-8000-000000000000' })).statusCode, 404)
    t.equal((await app.inject({ method: 'GET', url: '/api/v1/categories/zzz' })).statusCode, 400)
  })

  await t.test('admins rename (200), delete unused (204) and cannot delete one in use (409)', async (t) => {
    const cat = (await app.inject({ method: 'POST', url: '/api/v1/categories', headers: admin.headers, payload: { name: 'Temp' } })).json()
    const renamed = await app.inject({ method: 'PUT', url: `/api/v1/categories/${cat.id}`, headers: admin.headers, payload: { name: 'Temporary' } })
    t.equal(renamed.json().name, 'Temporary')
    t.equal((await app.inject({ method: 'PUT', url: `/api/v1/categories/${cat.id}`, headers: admin.headers, payload: { name: 'Programming' } })).statusCode, 409)
    const course = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: instructor.headers, payload: { title: 'c', code: code(), categoryId: cat.id } })
    t.equal(course.statusCode, 201)
    t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/categories/${cat.id}`, headers: admin.headers })).statusCode, 409)
    await app.inject({ method: 'DELETE', url: `/api/v1/courses/${course.json().id}`, headers: instructor.headers })
    t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/categories/${cat.id}`, headers: admin.headers })).statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/categories/${cat.id}` })).statusCode, 404)
  })

  await t.test('a course naming an unknown category answers 422', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: instructor.headers, payload: { title: 'c', code: code(), categoryId: '01890000-0000-7000-8000-000000000000' } })
    t.equal(res.statusCode, 422)
  })
})
