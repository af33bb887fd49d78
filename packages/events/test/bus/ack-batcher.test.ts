import t from 'tap'
import type { ConsumeMessage } from 'amqplib'
import { AckBatcher } from '../../src/bus/ack-batcher.js'
import { eventually, randomName, testConnection } from '../helper.js'

t.test('finished deliveries go out as one multiple ack, and a held delivery does not hold back later acks', async (t) => {
  const connection = await testConnection(t)
  const conn = await connection.waitForConnection(5000)
  const admin = await conn.createChannel()
  const queue = randomName('events_test_acks')
  await admin.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  t.teardown(async () => {
    await admin.deleteQueue(queue)
    await admin.close()
  })
  for (let i = 0; i < 10; i++) admin.sendToQueue(queue, Buffer.from(String(i)), { persistent: true })

  const ch = await conn.createChannel()
  await ch.prefetch(10)
  const sent: Array<{ body: string; multiple: boolean }> = []
  const ack = ch.ack.bind(ch)
  ch.ack = (msg: ConsumeMessage, multiple?: boolean) => {
    sent.push({ body: msg.content.toString(), multiple: multiple === true })
    ack(msg, multiple)
  }
  const acks = new AckBatcher(ch)
  const got: ConsumeMessage[] = []
  await ch.consume(queue, (msg) => {
    if (!msg) return
    acks.delivered(msg)
    got.push(msg)
  })
  await eventually('10 deliveries', () => got.length === 10)
  // Finished out of order; the fifth and the sixth are still being handled.
  for (const i of [3, 0, 2, 1, 9, 6, 8, 7]) acks.ack(got[i]!)
  await new Promise((r) => setImmediate(r))
  t.same(sent, [
    { body: '3', multiple: true },
    { body: '9', multiple: false },
    { body: '6', multiple: false },
    { body: '8', multiple: false },
    { body: '7', multiple: false },
  ])
  acks.ack(got[5]!)
  acks.flush()
  t.same(sent.at(-1), { body: '5', multiple: false }, 'flush sends at once')

  // The broker closes the channel on a wrong or repeated tag; closing it requeues what was not acked.
  await ch.close()
  await eventually('the held delivery back in the queue', async () => (await admin.checkQueue(queue)).messageCount >= 1)
  t.equal((await admin.checkQueue(queue)).messageCount, 1, 'only the held delivery was not acked')
  const back = await admin.get(queue, { noAck: true })
  t.equal(back && back.content.toString(), '4')
})
