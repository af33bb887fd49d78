/**
 * `npm start`: provisions each service's database role and schema, starts
 * every service that exists and then the gateway, prints the URLs, and stops
 * them all on Ctrl-C. `--seed` (or LMS_SEED=1) loads the demo catalog
 * (scripts/dev/seed.ts). Mail goes to a local SMTP sink (scripts/dev/smtp-sink.ts)
 * unless SMTP_URL names another server or something already answers on :2525.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { provisionServiceDatabase, urlForRole } from '@lms/kit'
import { startMailSink, type MailSink } from './smtp-sink.js'

const root = join(import.meta.dirname, '..', '..')
const state = process.env.LMS_STATE_DIR ?? join(root, '.lms')
const env = process.env as Record<string, string>
const seed = process.argv.includes('--seed') || env.LMS_SEED === '1'

function secret(name: string): string {
  const dir = join(state, 'secrets')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, name)
  if (!existsSync(file)) writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 })
  return readFileSync(file, 'utf8').trim()
}

function signingKeyFile(): string {
  const dir = join(state, 'keys')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, 'jwt-signing-1.pem')
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  }
  return file
}

interface Component { name: string; dir: string; port: number; schema?: string; env?: Record<string, string> }

const components: Component[] = [
  { name: 'user', dir: 'services/user', port: 8081, schema: 'users' },
  { name: 'course', dir: 'services/course', port: 8082, env: { MONGO_URL: env.MONGO_URL!, MONGO_DB: 'courses' } },
  { name: 'enrollment', dir: 'services/enrollment', port: 8083, schema: 'enrollments' },
  { name: 'assessment', dir: 'services/assessment', port: 8084, schema: 'assessments' },
  { name: 'notification', dir: 'services/notification', port: 8085, schema: 'notifications' },
].filter((c) => existsSync(join(root, c.dir, 'src', 'server.ts')))
  .filter((c) => !env.LMS_SERVICES || env.LMS_SERVICES.split(',').includes(c.name))

const children: ChildProcess[] = []
let stopping = false
let mailSink: MailSink | undefined

function start(name: string, dir: string, extraEnv: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@lms/source', 'src/server.ts'], {
    cwd: join(root, dir),
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) process.stdout.write(`[${name}] ${line}\n`)
    })
  }
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`[${name}] exited with ${code}; stopping everything`)
      void stopAll(1)
    }
  })
  children.push(child)
}

async function waitReady(name: string, port: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`)
      if (res.ok) return
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`${name} was not ready on :${port} within ${timeoutMs / 1000}s`)
}

async function stopAll(code: number): Promise<never> {
  stopping = true
  for (const child of children) child.kill('SIGTERM')
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))))
  await mailSink?.close()
  process.exit(code)
}
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))

async function migrate(component: Component, extra: Record<string, string>) {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@lms/source', 'src/migrate.ts'], {
      cwd: join(root, component.dir), env: { ...env, ...extra }, stdio: 'inherit',
    })
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${component.name} migrations failed (${code})`))))
  })
}

const common = {
  HOST: '127.0.0.1',
  LOG_LEVEL: env.LOG_LEVEL ?? 'info',
  JWKS_URL: 'http://127.0.0.1:8081/.well-known/jwks.json',
  JWT_ISSUER: 'lms-user-service',
  JWT_AUDIENCE: 'lms',
  MIGRATE_ON_START: 'true',
}
const adminEmail = env.ADMIN_EMAIL ?? 'admin@lms.local'
const adminPassword = env.ADMIN_PASSWORD ?? secret('admin-password')

for (const component of components) {
  const extra: Record<string, string> = { ...common, PORT: String(component.port), ...component.env }
  if (component.schema) {
    const role = `lms_${component.name}`
    const password = secret(`pg-${role}`)
    await provisionServiceDatabase(env.LMS_PG_ADMIN_URL!, { schema: component.schema, role, password })
    extra.DATABASE_URL = urlForRole(env.LMS_PG_ADMIN_URL!, role, password)
    extra.DATABASE_SCHEMA = component.schema
  }
  if (component.name === 'user') {
    Object.assign(extra, { JWT_PRIVATE_KEY_FILES: signingKeyFile(), ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword })
  }
  if (component.name === 'notification') {
    extra.SMTP_URL = env.SMTP_URL ?? 'smtp://127.0.0.1:2525'
    if (!env.SMTP_URL && env.LMS_MIGRATE_ONLY !== '1') {
      mailSink = await startMailSink({ port: 2525, dir: join(state, 'mail'), log: (line) => process.stdout.write(`[mail] ${line}\n`) })
    }
    extra.SMTP_FROM = env.SMTP_FROM ?? 'LMS <no-reply@lms.local>'
  }
  if (env.LMS_MIGRATE_ONLY === '1') {
    if (component.schema) await migrate(component, extra)
    continue
  }
  start(component.name, component.dir, extra)
  if (component.name === 'user') await waitReady('user', component.port)
}
if (env.LMS_MIGRATE_ONLY === '1') process.exit(0)
await Promise.all(components.map((c) => waitReady(c.name, c.port)))

start('gateway', 'gateway', {
  ...common,
  // Seeding registers a few hundred students from one IP: lift the per-IP credentials limit for this local run only.
  ...(seed && !env.RATE_LIMIT_AUTH_MAX ? { RATE_LIMIT_AUTH_MAX: '5000' } : {}),
  PORT: '8080',
  UPSTREAM_USER_URL: 'http://127.0.0.1:8081',
  UPSTREAM_COURSE_URL: 'http://127.0.0.1:8082',
  UPSTREAM_ENROLLMENT_URL: 'http://127.0.0.1:8083',
  UPSTREAM_ASSESSMENT_URL: 'http://127.0.0.1:8084',
  UPSTREAM_NOTIFICATION_URL: 'http://127.0.0.1:8085',
})
await waitReady('gateway', 8080)

const lines = [
  '',
  'LMS is running:',
  '  gateway      http://127.0.0.1:8080/api/v1',
  '  API docs     http://127.0.0.1:8080/docs',
  `  Zipkin UI    ${env.ZIPKIN_URL}/zipkin/`,
  `  RabbitMQ UI  http://127.0.0.1:${new URL(env.RABBITMQ_MANAGEMENT_URL!).port}/ (guest/guest, loopback only)`,
  `  services     ${components.map((c) => `${c.name} :${c.port}`).join(', ')}`,
]
if (mailSink) lines.push(`  mail sink    smtp://127.0.0.1:2525 → ${join(state, 'mail')}/*.eml (one [mail] line per message)`)
else if (components.some((c) => c.name === 'notification')) lines.push(`  mail         ${env.SMTP_URL ?? 'smtp://127.0.0.1:2525 (already answered; no sink started)'}`)
if (seed) {
  const { seedDemo } = await import('./seed.js')
  console.log('[seed] loading the demo catalog through the gateway (a few minutes the first time)…')
  const result = await seedDemo({ base: 'http://127.0.0.1:8080', admin: { email: adminEmail, password: adminPassword }, secret, log: (line) => console.log(`[seed] ${line}`) })
    .catch(async (error: unknown) => {
      console.error(`[seed] failed: ${error instanceof Error ? error.message : String(error)}`)
      console.error('[seed] what was created stays; `npm start -- --seed` again adds what is missing (courses by code, students without enrollments)')
      return stopAll(1)
    })
  lines.push('', 'Demo accounts (passwords kept in .lms/secrets/):')
  for (const a of result.accounts) lines.push(`  ${a.role.padEnd(10)} ${a.email}  ${a.password}`)
  lines.push(`  students   student001…@students.lms.local use the student password`)
  lines.push('', `Demo catalog: ${result.totals.categories} categories, ${result.totals.courses} courses, ${result.totals.students} demo students` +
    ` (this run created ${result.created.courses} courses, ${result.created.users} users, ${result.created.enrollments} enrollments, ${result.created.attempts} quiz attempts in ${result.seconds}s)`)
}
lines.push('', 'Ctrl-C stops everything this started (the infrastructure keeps running; `npm run infra down` stops it).', '')
console.log(lines.join('\n'))
