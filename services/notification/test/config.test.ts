import t from 'tap'
import { ConfigError } from '@lms/kit'
import { loadNotificationConfig } from '../src/config.js'

const base = { DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x', AMQP_URL: 'amqp://x', JWKS_URL: 'http://127.0.0.1:8081/.well-known/jwks.json' }

t.test('config applies the service defaults (port 8085, schema notifications)', async (t) => {
  const config = loadNotificationConfig(base)
  t.match(config, { PORT: 8085, DATABASE_SCHEMA: 'notifications', EMAIL_MAX_ATTEMPTS: 6, SESSION_KEY_PREFIX: 'session:' })
})

t.test('config names a missing or bad variable', async (t) => {
  t.throws(() => loadNotificationConfig({ ...base, REDIS_URL: undefined }), ConfigError)
  t.throws(() => loadNotificationConfig({ ...base, EMAIL_MAX_ATTEMPTS: '0' }), /EMAIL_MAX_ATTEMPTS/)
})
