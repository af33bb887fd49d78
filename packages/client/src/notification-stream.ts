import { LmsProblemError } from './errors.js'
import type { Transport } from './transport.js'
import type { Notification } from './types.js'

export interface NotificationStreamOptions {
  /** Resume after this notification id (sent as `Last-Event-ID`; the server replays what was missed). */
  lastEventId?: string
  onNotification: (notification: Notification) => void
  /** Each time a connection is established (the first and every reconnect). */
  onOpen?: () => void
  /** A connection dropped or failed; the stream reconnects unless the error is final. */
  onError?: (error: unknown) => void
  /** Stops the stream. */
  signal?: AbortSignal
  /** Wait before reconnecting when the server sent no `retry:` (default 3000 ms). */
  retryMs?: number
}

export interface NotificationStream {
  /** Resolves when the first connection is open (rejects on a final error such as 403). */
  readonly opened: Promise<void>
  /** Resolves when the stream stopped for good (abort or close), rejects on a final error. */
  readonly closed: Promise<void>
  /** The id of the last notification received: what a reconnect sends as `Last-Event-ID`. */
  readonly lastEventId: string | undefined
  close(): void
}

interface SseEvent { id?: string; event: string; data: string; retry?: number }

/** Parses `text/event-stream` chunks into events (WHATWG rules, enough for this API). */
export function sseParser(onEvent: (e: SseEvent) => void, onRetry: (ms: number) => void) {
  let buffer = ''
  let event: SseEvent = { event: 'message', data: '' }
  let hasData = false
  return (chunk: string) => {
    buffer += chunk
    let newline: number
    while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
      if (line === '') {
        if (hasData) onEvent({ ...event, data: event.data.replace(/\n$/, '') })
        event = { event: 'message', data: '' }
        hasData = false
        continue
      }
      if (line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'data') { event.data += `${value}\n`; hasData = true }
      else if (field === 'event') event.event = value
      else if (field === 'id') event.id = value
      else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value))
    }
  }
}

/**
 * The caller's notification stream over fetch (no EventSource, so the bearer
 * header and token refresh work): reconnects after drops with `Last-Event-ID`
 * so nothing is missed, refreshes the access token on 401, stops on abort.
 */
export function openNotificationStream(transport: Transport, opts: NotificationStreamOptions): NotificationStream {
  const controller = new AbortController()
  const abort = () => controller.abort()
  if (opts.signal?.aborted) controller.abort()
  else opts.signal?.addEventListener('abort', abort, { once: true })
  let lastEventId = opts.lastEventId
  let retryMs = opts.retryMs ?? 3000
  let markOpened!: () => void
  let failOpened!: (e: unknown) => void
  const opened = new Promise<void>((resolve, reject) => { markOpened = resolve; failOpened = reject })
  opened.catch(() => undefined)

  const once = async () => {
    const res = await transport.send({
      path: '/notifications/stream',
      headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      signal: controller.signal,
    })
    markOpened()
    opts.onOpen?.()
    if (!res.body) return
    const parse = sseParser((e) => {
      if (e.id) lastEventId = e.id
      if (e.event === 'notification') opts.onNotification(JSON.parse(e.data) as Notification)
    }, (ms) => { retryMs = ms })
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        parse(value)
      }
    } finally {
      reader.releaseLock()
    }
  }

  const wait = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    function done() { clearTimeout(timer); controller.signal.removeEventListener('abort', done); resolve() }
    controller.signal.addEventListener('abort', done, { once: true })
  })

  const closed = (async () => {
    try {
      while (!controller.signal.aborted) {
        try {
          await once()
        } catch (error) {
          if (controller.signal.aborted) break
          // A refused request (not a dropped connection) won't get better by retrying, except 429/5xx.
          if (error instanceof LmsProblemError && error.status < 500 && error.status !== 429) {
            failOpened(error)
            throw error
          }
          opts.onError?.(error)
        }
        if (!controller.signal.aborted) await wait(retryMs)
      }
    } finally {
      opts.signal?.removeEventListener('abort', abort)
      failOpened(new Error('stream closed before it opened'))
    }
  })()
  closed.catch(() => undefined)

  return {
    opened,
    closed,
    get lastEventId() { return lastEventId },
    close: () => controller.abort(),
  }
}
