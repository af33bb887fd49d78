import type { Kysely, Transaction } from 'kysely'
import type { EventEnvelope, EventType, PgInbox } from '@lms/events'
import type { Database } from '../database.js'
import type { NotificationPublisher } from '../notifications/service.js'
import type { NotificationRow } from '../notifications/table.js'

export const CONSUMER = 'notification'

export interface HandlerDeps {
  db: Kysely<Database>
  publisher: NotificationPublisher
  appBaseUrl: string
  /** Recipients per transaction when one event notifies many people. */
  batchSize: number
  /** Wakes the email worker once new deliveries are committed. */
  onQueued?: () => void
  /** The service's one inbox (createHandlers makes it): events arriving together share a transaction. */
  inbox: PgInbox<Database>
}

/** Applies an event once (inbox), then pushes the committed in-app notifications to live streams. */
export async function applyOnce<T extends EventType>(
  deps: HandlerDeps,
  event: EventEnvelope<T>,
  effects: (trx: Transaction<Database>) => Promise<NotificationRow[] | void>,
) {
  let created: NotificationRow[] = []
  const outcome = await deps.inbox.handleOnce(event, async (trx) => {
    created = (await effects(trx)) ?? []
  })
  if (outcome === 'applied' && created.length > 0) {
    deps.onQueued?.()
    await deps.publisher.publish(created)
  }
  return outcome
}
