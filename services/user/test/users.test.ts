import t from 'tap'
import { bearer, build, outboxTypes, promote, register } from './helper.js'

t.test('profile reads carry an ETag; a stale If-Match is 412 and a fresh one updates (200)', async (t) => {
  const { app } = await build(t)
  const user = await register(app)
  const read = await app.inject({ url: '/api/v1/users/profile', headers: bearer(user.accessToken) })
  t.equal(read.statusCode, 200)
  t.equal(read.headers.etag, 'W/"1"')
  const update = await app.inject({
    method: 'PUT', url: '/api/v1/users/profile', headers: { ...bearer(user.accessToken), 'if-match': 'W/"1"' }, payload: { fullName: 'Ada King' },
  })
  t.equal(update.statusCode, 200)
  t.match(update.json(), { fullName: 'Ada King', version: 2 })
  const stale = await app.inject({
    method: 'PUT', url: '/api/v1/users/profile', headers: { ...bearer(user.accessToken), 'if-match': 'W/"1"' }, payload: { fullName: 'Lost Update' },
  })
  t.equal(stale.statusCode, 412)
  const unknown = await app.inject({ method: 'PUT', url: '/api/v1/users/profile', headers: bearer(user.accessToken), payload: { role: 'admin' } })
  t.equal(unknown.statusCode, 400, 'role cannot be set through the profile')
  const other = await register(app)
  const taken = await app.inject({ method: 'PUT', url: '/api/v1/users/profile', headers: bearer(user.accessToken), payload: { email: other.email } })
  t.equal(taken.statusCode, 409)
})

t.test('changing the password ends every other session but keeps the current one (204)', async (t) => {
  const { app } = await build(t)
  const user = await register(app)
  const second = (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })).json()
  const wrong = await app.inject({
    method: 'PUT', url: '/api/v1/users/profile/password', headers: bearer(user.accessToken),
    payload: { currentPassword: 'not my password', newPassword: 'a much better password' },
  })
  t.equal(wrong.statusCode, 403)
  const res = await app.inject({
    method: 'PUT', url: '/api/v1/users/profile/password', headers: bearer(user.accessToken),
    payload: { currentPassword: user.password, newPassword: 'a much better password' },
  })
  t.equal(res.statusCode, 204)
  t.equal((await app.inject({ url: '/api/v1/users/profile', headers: bearer(user.accessToken) })).statusCode, 200)
  t.equal((await app.inject({ url: '/api/v1/users/profile', headers: bearer(second.accessToken) })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: 'a much better password' } })).statusCode, 200)
})

t.test('admins list, search and filter users; students get 403 and only see themselves', async (t) => {
  const { app, db } = await build(t)
  const admin = await register(app, { fullName: 'Grace Hopper' })
  await promote(db, admin.user.id, 'admin')
  const adminToken = (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: admin.password } })).json().accessToken
  const students = [await register(app, { fullName: 'Alan Turing' }), await register(app, { fullName: 'Alan Kay' }), await register(app, { fullName: 'Barbara Liskov' })]

  const first = await app.inject({ url: '/api/v1/users?limit=2', headers: bearer(adminToken) })
  t.equal(first.statusCode, 200)
  t.equal(first.json().items.length, 2)
  t.type(first.json().nextCursor, 'string')
  const second = await app.inject({ url: `/api/v1/users?limit=2&cursor=${first.json().nextCursor}`, headers: bearer(adminToken) })
  t.equal(second.json().items.length, 2)
  t.equal(second.json().nextCursor, null)
  const ids = [...first.json().items, ...second.json().items].map((u: { id: string }) => u.id)
  t.equal(new Set(ids).size, 4, 'pages do not overlap')

  const alans = await app.inject({ url: '/api/v1/users?q=alan', headers: bearer(adminToken) })
  t.same(alans.json().items.map((u: { fullName: string }) => u.fullName).sort(), ['Alan Kay', 'Alan Turing'])
  const admins = await app.inject({ url: '/api/v1/users?role=admin', headers: bearer(adminToken) })
  t.same(admins.json().items.map((u: { id: string }) => u.id), [admin.user.id])
  t.equal((await app.inject({ url: '/api/v1/users?limit=500', headers: bearer(adminToken) })).statusCode, 400)
  t.equal((await app.inject({ url: '/api/v1/users?cursor=%%%', headers: bearer(adminToken) })).statusCode, 400)

  const student = students[0]!
  t.equal((await app.inject({ url: '/api/v1/users', headers: bearer(student.accessToken) })).statusCode, 403)
  t.equal((await app.inject({ url: `/api/v1/users/${student.user.id}`, headers: bearer(student.accessToken) })).statusCode, 200)
  t.equal((await app.inject({ url: `/api/v1/users/${students[1]!.user.id}`, headers: bearer(student.accessToken) })).statusCode, 404)
  t.equal((await app.inject({ url: `/api/v1/users/${students[1]!.user.id}`, headers: bearer(adminToken) })).statusCode, 200)
  t.equal((await app.inject({ url: '/api/v1/users/not-a-uuid', headers: bearer(adminToken) })).statusCode, 400)
  t.equal((await app.inject({ url: '/api/v1/audit-logs', headers: bearer(student.accessToken) })).statusCode, 403)
})

t.test('an admin grants instructor: user.role_changed is recorded and the old tokens stop (200)', async (t) => {
  const { app, db } = await build(t)
  const admin = await register(app)
  await promote(db, admin.user.id, 'admin')
  const adminToken = (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: admin.password } })).json().accessToken
  const user = await register(app)
  const student = await app.inject({ method: 'PUT', url: `/api/v1/users/${user.user.id}/role`, headers: bearer(user.accessToken), payload: { role: 'admin' } })
  t.equal(student.statusCode, 403, 'no self-promotion')
  const res = await app.inject({ method: 'PUT', url: `/api/v1/users/${user.user.id}/role`, headers: bearer(adminToken), payload: { role: 'instructor' } })
  t.equal(res.statusCode, 200)
  t.equal(res.json().role, 'instructor')
  t.equal((await app.inject({ url: '/api/v1/users/profile', headers: bearer(user.accessToken) })).statusCode, 401)
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })
  const claims = JSON.parse(Buffer.from(login.json().accessToken.split('.')[1], 'base64url').toString())
  t.equal(claims.role, 'instructor')
  const bad = await app.inject({ method: 'PUT', url: `/api/v1/users/${user.user.id}/role`, headers: bearer(adminToken), payload: { role: 'superuser' } })
  t.equal(bad.statusCode, 400)
  const events = await outboxTypes(db)
  const changed = events.find((e) => e.event_type === 'user.role_changed')
  t.match(changed?.envelope.data, { userId: user.user.id, oldRole: 'student', newRole: 'instructor', changedBy: admin.user.id })
  const lastAdmin = await app.inject({ method: 'PUT', url: `/api/v1/users/${admin.user.id}/role`, headers: bearer(adminToken), payload: { role: 'student' } })
  t.equal(lastAdmin.statusCode, 409, 'the last admin cannot demote themselves')
})

t.test('deleting an account erases personal data, ends sessions and emits user.deleted (204)', async (t) => {
  const { app, db } = await build(t)
  const admin = await register(app)
  await promote(db, admin.user.id, 'admin')
  const adminToken = (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: admin.password } })).json().accessToken
  const user = await register(app, { fullName: 'Private Person' })
  const other = await register(app)
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/users/${user.user.id}`, headers: bearer(other.accessToken) })).statusCode, 404, 'not someone else')
  const res = await app.inject({ method: 'DELETE', url: `/api/v1/users/${user.user.id}`, headers: bearer(user.accessToken) })
  t.equal(res.statusCode, 204)
  t.equal((await app.inject({ url: '/api/v1/users/profile', headers: bearer(user.accessToken) })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })).statusCode, 401)
  t.equal((await app.inject({ url: `/api/v1/users/${user.user.id}`, headers: bearer(adminToken) })).statusCode, 404)
  const row = await db.selectFrom('users').selectAll().where('id', '=', user.user.id).executeTakeFirstOrThrow()
  t.equal(row.fullName, 'Deleted user')
  t.notMatch(row.email, user.email)
  t.equal(row.passwordHash, null)
  const events = await outboxTypes(db)
  t.ok(events.some((e) => e.event_type === 'user.deleted' && e.envelope.data.userId === user.user.id))
  const again = await register(app, { email: user.email })
  t.ok(again.user.id, 'the email can be used again')

  const audit = await app.inject({ url: `/api/v1/audit-logs?userId=${user.user.id}`, headers: bearer(adminToken) })
  t.equal(audit.statusCode, 200)
  const actions = audit.json().items.map((a: { action: string }) => a.action)
  t.ok(actions.includes('user.deleted'))
  t.ok(actions.includes('user.registered'))
  t.notMatch(JSON.stringify(audit.json()), user.email, 'the audit log holds no email')
  const failed = await app.inject({ url: '/api/v1/audit-logs?action=login.failed', headers: bearer(adminToken) })
  t.ok(failed.json().items.length >= 1, 'the failed login after deletion is audited')
})
