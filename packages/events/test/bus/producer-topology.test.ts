import t from 'tap'
import amqp from 'amqplib'
import { catalog } from '../../src/catalog/index.js'
import { declareProducerTopology, topologyNames, unconsumedQueueName } from '../../src/bus/topology.js'
import { env, randomName } from './../helper.js'

t.test('a producer declares its consumers\' queues, so events wait there before any consumer started', async (t) => {
  const connection = await amqp.connect(env('AMQP_URL'))
  const channel = await connection.createConfirmChannel()
  const exchange = randomName('ex')
  const suffix = randomName('q')
  const consumerName = (consumer: string) => `${consumer}_${suffix}`
  t.teardown(async () => {
    for (const consumer of ['assessment', 'notification']) {
      const names = topologyNames(consumerName(consumer), exchange)
      await channel.deleteQueue(names.queue)
      await channel.deleteQueue(names.deadLetterQueue)
      await channel.deleteExchange(names.deadLetterExchange)
    }
    await channel.deleteQueue(unconsumedQueueName(exchange))
    await channel.deleteExchange(exchange)
    await connection.close()
  })

  await declareProducerTopology(channel, { producer: 'enrollment', exchange, consumerName })
  await declareProducerTopology(channel, { producer: 'notification', exchange, consumerName })
  t.same([...catalog['enrollment.created'][1].consumers].sort(), ['assessment', 'notification'])

  const returned: string[] = []
  channel.on('return', (msg) => returned.push(msg.fields.routingKey))
  const publish = (key: string) => new Promise<void>((resolve, reject) =>
    channel.publish(exchange, key, Buffer.from('{}'), { mandatory: true, persistent: true }, (err) => (err ? reject(err) : resolve())))
  await publish('enrollment.created')
  await publish('notification.sent')
  await publish('course.published')
  await channel.waitForConfirms()

  const depth = async (queue: string) => (await channel.checkQueue(queue)).messageCount
  t.equal(await depth(topologyNames(consumerName('assessment'), exchange).queue), 1, 'assessment holds enrollment.created')
  t.equal(await depth(topologyNames(consumerName('notification'), exchange).queue), 1, 'notification holds enrollment.created')
  t.equal(await depth(unconsumedQueueName(exchange)), 1, 'notification.sent, which nobody consumes, is kept in the bounded queue')
  t.same(returned, ['course.published'], 'a type no producer topology covers still comes back unroutable')
})
