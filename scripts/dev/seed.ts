/** Demo accounts through the public API, idempotently: an admin (from config), an instructor and a student. */
interface Account { role: 'admin' | 'instructor' | 'student'; email: string; password: string }

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

async function loginOrRegister(base: string, email: string, password: string, fullName: string) {
  const login = await call(base, 'POST', '/api/v1/auth/login', { email, password })
  if (login.status === 200) return login.body
  const registered = await call(base, 'POST', '/api/v1/auth/register', { email, password, fullName })
  if (registered.status !== 201) throw new Error(`could not create ${email}: ${registered.status} ${JSON.stringify(registered.body)}`)
  return registered.body
}

export async function seedDemoAccounts(base: string, admin: { email: string; password: string }, secret: (name: string) => string): Promise<Account[]> {
  const adminLogin = await call(base, 'POST', '/api/v1/auth/login', admin)
  if (adminLogin.status !== 200) throw new Error(`admin login failed (${adminLogin.status}); is ADMIN_EMAIL/ADMIN_PASSWORD the one the user service started with?`)
  const instructor = { email: 'instructor@lms.local', password: secret('demo-instructor') }
  const student = { email: 'student@lms.local', password: secret('demo-student') }
  const i = await loginOrRegister(base, instructor.email, instructor.password, 'Ira Instructor')
  await loginOrRegister(base, student.email, student.password, 'Sam Student')
  if (i.user.role !== 'instructor') {
    const res = await call(base, 'PUT', `/api/v1/users/${i.user.id}/role`, { role: 'instructor' }, adminLogin.body.accessToken)
    if (res.status !== 200) throw new Error(`could not promote the instructor: ${res.status}`)
  }
  return [
    { role: 'admin', ...admin },
    { role: 'instructor', ...instructor },
    { role: 'student', ...student },
  ]
}
