import { AmqpConnection } from '@lms/events'
import { randomName, testEnv } from '@lms/kit/testing'
import t from 'tap'
import { CourseBus } from '../../src/events/course-bus.js'
import { build } from '../helper.js'

t.test('readiness reports the broker connection (rabbitmq check, registered as main.ts does)', async (t) => {
  const { amqpUrl } = await testEnv()
  const built = await build(t)
  const { app, db } = built
  const exchange = randomName('lms.events.test')
  const bus = await CourseBus.connect({ amqpUrl, db, registry: app.metrics, logger: app.log, exchange, service: randomName('course') })
  let stopped = false
  t.teardown(async () => {
    if (!stopped) await bus.stop()
    const cleanup = new AmqpConnection({ url: amqpUrl, name: 'course-test-cleanup' })
    await cleanup.start()
    const ch = await (await cleanup.waitForConnection(5000)).createChannel()
    await ch.deleteExchange(exchange)
    await ch.close()
    await cleanup.close()
  })
  app.addReadinessCheck('rabbitmq', () => bus.ready())

  const up = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(up.statusCode, 200, 'ready (200) while connected')
  t.match(up.json(), { status: 'ok', checks: { mongodb: 'ok', redis: 'ok', rabbitmq: 'ok' } })

  await bus.stop()
  stopped = true
  const down = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(down.statusCode, 503, 'not ready (503) once the broker connection is gone')
  t.match(down.json(), { status: 'degraded', checks: { mongodb: 'ok', redis: 'ok', rabbitmq: /^down: not connected/ } })
})
