import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import { CHANNELS, NOTIFICATION_TYPES, isChannel, isNotificationType, type NotificationType } from '../templates/catalog.js'
import { listPreferences, upsertPreferences } from './repository.js'
import type { UpdatePreferences } from './schemas.js'

type Db = Kysely<Database> | Transaction<Database>

export interface ChannelChoice { inApp: boolean; email: boolean }

/** Every channel is on unless the person turned it off; types that can't be muted are always on. */
export async function channelsFor(db: Db, userIds: string[], type: NotificationType): Promise<Map<string, ChannelChoice>> {
  const result = new Map<string, ChannelChoice>(userIds.map((id) => [id, { inApp: true, email: true }]))
  if (!NOTIFICATION_TYPES[type].mutable) return result
  for (const p of await listPreferences(db, userIds)) {
    if (p.type !== type || p.enabled) continue
    const choice = result.get(p.userId)
    if (!choice) continue
    if (p.channel === 'in_app') choice.inApp = false
    if (p.channel === 'email') choice.email = false
  }
  return result
}

export function createPreferenceService(deps: { db: Kysely<Database> }) {
  return {
    async get(userId: string) {
      const stored = await listPreferences(deps.db, [userId])
      const items = []
      for (const [type, meta] of Object.entries(NOTIFICATION_TYPES)) {
        for (const channel of CHANNELS) {
          const row = stored.find((p) => p.type === type && p.channel === channel)
          items.push({ type, channel, enabled: !meta.mutable || (row?.enabled ?? true), mutable: meta.mutable })
        }
      }
      return { items }
    },

    async update(userId: string, body: UpdatePreferences) {
      for (const p of body.preferences) {
        if (!isNotificationType(p.type)) throw errors.NTF_ERR_UNKNOWN_TYPE(`Unknown notification type '${p.type}'`)
        if (!isChannel(p.channel)) throw errors.NTF_ERR_UNKNOWN_CHANNEL(`Unknown channel '${p.channel}' (in_app or email)`)
        if (!NOTIFICATION_TYPES[p.type].mutable && !p.enabled) throw errors.NTF_ERR_NOT_MUTABLE(`'${p.type}' cannot be muted`)
      }
      await upsertPreferences(deps.db, body.preferences.map((p) => ({ userId, ...p })))
      return this.get(userId)
    },
  }
}

export type PreferenceService = ReturnType<typeof createPreferenceService>
