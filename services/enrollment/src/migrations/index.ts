import type { Migration } from 'kysely'
import * as initial from './2026112401-initial.js'
import * as waitlist from './2026112402-waitlist.js'
import * as learners from './2026112403-learners.js'
import * as progressFunction from './2026120101-progress-function.js'
import * as enrollFunction from './2026120102-enroll-function.js'

/** Every migration of this service, by name (applied in name order). */
export const migrations: Record<string, Migration> = {
  '2026112401-initial': initial,
  '2026112402-waitlist': waitlist,
  '2026112403-learners': learners,
  '2026120101-progress-function': progressFunction,
  '2026120102-enroll-function': enrollFunction,
}
