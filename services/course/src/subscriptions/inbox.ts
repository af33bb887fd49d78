import type { Db } from 'mongodb'

export const INBOX = 'processed_events'

/**
 * Runs `effect` unless the event id was already processed. MongoDB offers no
 * multi-document transaction here, so the effect must itself be idempotent;
 * the inbox only saves repeating it.
 *
 * @example
 * await handleOnceMongo(db, event.id, event.type, () => archiveCourses(userId))
 */
export async function handleOnceMongo(db: Db, eventId: string, type: string, effect: () => Promise<unknown>): Promise<'handled' | 'duplicate'> {
  const inbox = db.collection<{ _id: string; type: string; processedAt: Date }>(INBOX)
  if (await inbox.findOne({ _id: eventId })) return 'duplicate'
  await effect()
  await inbox.updateOne({ _id: eventId }, { $setOnInsert: { type, processedAt: new Date() } }, { upsert: true })
  return 'handled'
}
