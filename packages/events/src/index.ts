/**
 * @lms/events — the platform's event backbone: catalog (typebox schemas per event and version),
 * RabbitMQ topology, publisher, consumer with retries and DLQ, PostgreSQL outbox/inbox, MongoDB
 * outbox, metrics. Every export below carries its own JSDoc with an example.
 *
 * @example
 * import { AmqpConnection, EventPublisher, PgOutboxRelay, startConsumer, enqueue, createEvent, handleOnce } from '@lms/events'
 */
export * from './catalog/index.js'
export { AmqpConnection, type AmqpConnectionOptions, type ConnectionSetup } from './bus/connection.js'
export {
  DEFAULT_EXCHANGE,
  DEFAULT_BACKOFF,
  declareExchange,
  declareProducerTopology,
  unconsumedQueueName,
  declareServiceTopology,
  deleteServiceTopology,
  retryDelay,
  topologyNames,
  type Backoff,
  type ServiceTopologyOptions,
  type TopologyNames,
} from './bus/topology.js'
export { EventPublisher, UnroutableEventError, type PublisherOptions, type PublishOptions } from './bus/publisher.js'
export {
  startConsumer,
  HEADERS,
  type Consumer,
  type ConsumerOptions,
  type DeadLetterReason,
  type EventHandler,
  type EventHandlers,
  type HandlerContext,
} from './bus/consumer.js'
export { createOutboxTable, enqueue, enqueueWith, PgOutboxRelay, OUTBOX_CHANNEL, type PgOutboxRelayOptions } from './bus/outbox-pg.js'
export { createInboxTable, handleOnce, PgInbox, type PgInboxOptions, pruneInbox } from './bus/inbox.js'
export {
  withOutbox,
  withPendingEvents,
  writeWithPendingMark,
  OUTBOX_PENDING,
  createMongoOutboxIndexes,
  MongoOutboxRelay,
  type MongoOutboxRelayOptions,
  type OutboxFields,
  type PendingEvent,
} from './bus/outbox-mongo.js'
export { listDeadLetters, republishDeadLetters, type DeadLetter } from './bus/dead-letters.js'
export { createEventMetrics, type EventMetrics } from './bus/metrics.js'
export { startServiceBus, type ServiceBus, type ServiceBusOptions } from './bus/service-bus.js'
export { captureTraceContext, restoreTraceContext, type TraceCarrier } from './bus/trace-context.js'
export { silentLogger, type Logger } from './bus/logger.js'
