import type { Kysely } from 'kysely'
import type { Transporter } from 'nodemailer'
import type { Counter } from 'prom-client'
import { createEvent, enqueue } from '@lms/events'
import type { Database } from '../database.js'
import { isNotificationType } from '../templates/catalog.js'
import { renderEmail } from '../templates/templates.js'
import { claimDueEmails, emailContext } from './repository.js'

export interface EmailWorkerOptions {
  db: Kysely<Database>
  transport: Transporter
  from: string
  pollMs: number
  batchSize: number
  maxAttempts: number
  retryBaseMs: number
  logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }
  sent?: Counter<'status'>
}

const LEASE_MS = 5 * 60_000

/** Sends queued email deliveries over SMTP, retrying with exponential backoff until `maxAttempts`. */
export function createEmailWorker(opts: EmailWorkerOptions) {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = true
  let again = false

  async function sendOne(delivery: Awaited<ReturnType<typeof claimDueEmails>>[number]) {
    const { notification, contact } = await emailContext(opts.db, delivery.notificationId, delivery.userId)
    try {
      if (!notification) throw new Error('notification was deleted')
      if (!contact) throw new Error('no email address known for this person')
      if (!isNotificationType(notification.type)) throw new Error(`no template for ${notification.type}`)
      const vars = { ...(notification.data as Record<string, string>), fullName: contact.fullName, appName: 'LMS' }
      const mail = renderEmail(notification.type, vars)
      await opts.transport.sendMail({ from: opts.from, to: contact.email, subject: mail.subject, text: mail.text, html: mail.html })
      await opts.db.transaction().execute(async (trx) => {
        await trx.updateTable('deliveries')
          .set({ status: 'sent', sentAt: new Date(), lastError: null, nextAttemptAt: null, updatedAt: new Date() })
          .where('id', '=', delivery.id).execute()
        await enqueue(trx, createEvent('notification.sent', {
          notificationId: delivery.notificationId, userId: delivery.userId, type: notification.type, channel: 'email',
        }, { source: 'notification' }))
      })
      opts.sent?.inc({ status: 'sent' })
    } catch (error) {
      const message = (error as Error).message.slice(0, 500)
      const final = delivery.attempts >= opts.maxAttempts || !notification || !contact
      const delay = opts.retryBaseMs * 2 ** (delivery.attempts - 1)
      await opts.db.updateTable('deliveries').set({
        status: final ? 'failed' : 'queued',
        lastError: message,
        nextAttemptAt: final ? null : new Date(Date.now() + delay),
        updatedAt: new Date(),
      }).where('id', '=', delivery.id).execute()
      opts.sent?.inc({ status: final ? 'failed' : 'retry' })
      opts.logger.warn({ deliveryId: delivery.id, attempts: delivery.attempts, final, err: message }, 'email delivery failed')
    }
  }

  /** Claims and sends batches until nothing is due; resolves with how many were attempted. */
  async function runOnce(): Promise<number> {
    let total = 0
    for (;;) {
      const batch = await claimDueEmails(opts.db, opts.batchSize, LEASE_MS)
      for (const delivery of batch) await sendOne(delivery)
      total += batch.length
      if (batch.length < opts.batchSize) return total
    }
  }

  function tick() {
    if (running) {
      again = true
      return
    }
    running = runOnce()
      .then(() => undefined, (error: unknown) => opts.logger.error({ err: error }, 'email worker failed'))
      .finally(() => {
        running = undefined
        if (again && !stopped) {
          again = false
          tick()
        }
      })
  }

  return {
    runOnce,
    start() {
      stopped = false
      timer = setInterval(tick, opts.pollMs)
      timer.unref()
      tick()
    },
    /** New deliveries were committed: look now instead of at the next poll. */
    kick() {
      if (!stopped) tick()
    },
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      await running
      opts.transport.close()
    },
  }
}

export type EmailWorker = ReturnType<typeof createEmailWorker>
