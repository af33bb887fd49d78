import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** The event metrics a service exposes on its /metrics. */
export interface EventMetrics {
  published: Counter<'service' | 'type'>
  consumed: Counter<'service' | 'type' | 'outcome'>
  retried: Counter<'service' | 'type'>
  deadLettered: Counter<'service' | 'type' | 'reason'>
  outboxBacklog: Gauge<'service'>
  outboxOldestPendingAge: Gauge<'service'>
  handleDuration: Histogram<'service' | 'type'>
}

function getOrCreate<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create()
}

/**
 * Registers the event metrics on the given registry (idempotent per registry).
 *
 * @example
 * const metrics = createEventMetrics(registry)
 * startConsumer({ ..., metrics })
 */
export function createEventMetrics(registry: Registry): EventMetrics {
  const registers = [registry]
  return {
    published: getOrCreate(
      registry,
      'lms_events_published_total',
      () =>
        new Counter({
          name: 'lms_events_published_total',
          help: 'Events confirmed by the broker',
          labelNames: ['service', 'type'],
          registers,
        }),
    ),
    consumed: getOrCreate(
      registry,
      'lms_events_consumed_total',
      () =>
        new Counter({
          name: 'lms_events_consumed_total',
          help: 'Events handled, by outcome (success|duplicate|retried|dead_lettered)',
          labelNames: ['service', 'type', 'outcome'],
          registers,
        }),
    ),
    retried: getOrCreate(
      registry,
      'lms_events_retried_total',
      () =>
        new Counter({
          name: 'lms_events_retried_total',
          help: 'Events scheduled for a delayed retry',
          labelNames: ['service', 'type'],
          registers,
        }),
    ),
    deadLettered: getOrCreate(
      registry,
      'lms_events_dead_lettered_total',
      () =>
        new Counter({
          name: 'lms_events_dead_lettered_total',
          help: 'Events moved to the dead-letter queue',
          labelNames: ['service', 'type', 'reason'],
          registers,
        }),
    ),
    outboxBacklog: getOrCreate(
      registry,
      'lms_outbox_backlog',
      () => new Gauge({ name: 'lms_outbox_backlog', help: 'Outbox events not yet published', labelNames: ['service'], registers }),
    ),
    outboxOldestPendingAge: getOrCreate(
      registry,
      'lms_outbox_oldest_pending_age_seconds',
      () =>
        new Gauge({
          name: 'lms_outbox_oldest_pending_age_seconds',
          help: 'Age of the oldest unpublished outbox event',
          labelNames: ['service'],
          registers,
        }),
    ),
    handleDuration: getOrCreate(
      registry,
      'lms_event_handle_duration_seconds',
      () =>
        new Histogram({
          name: 'lms_event_handle_duration_seconds',
          help: 'Consumer handler duration',
          labelNames: ['service', 'type'],
          buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers,
        }),
    ),
  }
}
