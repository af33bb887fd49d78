// Usage: npx tsx --conditions=@lms/source packages/events/src/cli/dlq.ts list|republish <service> [ids...] [--fanout]
// Reads AMQP_URL (and LMS_EVENTS_EXCHANGE, default lms.events).
import { AmqpConnection } from '../bus/connection.js'
import { listDeadLetters, republishDeadLetters } from '../bus/dead-letters.js'

const [command, service, ...rest] = process.argv.slice(2)
const fanout = rest.includes('--fanout')
const ids = rest.filter((a) => !a.startsWith('--'))
const url = process.env.AMQP_URL
if (!url || !service || (command !== 'list' && command !== 'republish')) {
  console.error('usage: dlq.ts list|republish <service> [ids...] [--fanout]   (AMQP_URL must be set; source .lms/infra.env)')
  process.exit(2)
}
const connection = new AmqpConnection({ url, name: 'lms-dlq-cli', maxDelayMs: 1000 })
const timeout = setTimeout(() => {
  console.error('could not reach the broker at AMQP_URL')
  process.exit(1)
}, 15_000)
await connection.start()
clearTimeout(timeout)
try {
  if (command === 'list') {
    const letters = await listDeadLetters({ connection, service })
    for (const l of letters) {
      console.log(
        JSON.stringify({
          messageId: l.messageId,
          type: l.type,
          routingKey: l.routingKey,
          reason: l.reason,
          attempts: l.attempts,
          deadLetteredAt: l.deadLetteredAt,
          detail: l.detail?.split('\n')[0],
        }),
      )
    }
    console.error(`${letters.length} message(s) in ${service}.events.dlq`)
  } else {
    const moved = await republishDeadLetters({ connection, service, ids, exchange: process.env.LMS_EVENTS_EXCHANGE, fanout })
    console.error(`republished ${moved.length} message(s): ${moved.join(' ')}`)
  }
} catch (err) {
  console.error(`dlq: ${(err as Error).message}`)
  process.exitCode = 1
} finally {
  await connection.close()
}
