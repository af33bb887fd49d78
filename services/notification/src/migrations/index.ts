import type { Migration } from 'kysely'
import * as initial from './2026112401-initial.js'
import * as waitlist from './2026120101-waitlist.js'
import * as streamOrder from './2026120102-stream-order.js'

/** Every migration of this service, by name (applied in name order). */
export const migrations: Record<string, Migration> = {
  '2026112401-initial': initial,
  '2026120101-waitlist': waitlist,
  '2026120102-stream-order': streamOrder,
}
