/**
 * The local mail sink of `npm start`: an SMTP server on loopback that accepts
 * every message, keeps it as an `.eml` file and prints who it was for and its
 * subject (never the body, which may carry links with tokens).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'

export interface MailSink {
  /** false when another server already answered on the port (nothing was started). */
  started: boolean
  close(): Promise<void>
}

/** Resolves true when something accepts a TCP connection on host:port. */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.setTimeout(1000)
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('timeout', () => { socket.destroy(); resolve(false) })
    socket.once('error', () => resolve(false))
  })
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) as nodemailer writes them. */
function decodeHeader(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*/g, (_all, _charset: string, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'))
}

/** The Subject header of a raw message (unfolded, decoded); empty when absent. */
export function subjectOf(raw: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? ''
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ')
  const line = unfolded.split(/\r?\n/).find((l) => /^subject:/i.test(l))
  return line ? decodeHeader(line.slice(line.indexOf(':') + 1).trim()) : ''
}

/**
 * Starts the sink on `host:port` unless something already answers there
 * (a real relay, or a sink of another `npm start`).
 *
 * @example
 * const sink = await startMailSink({ port: 2525, dir: '.lms/mail', log: console.log })
 * await sink.close()
 */
export async function startMailSink(opts: { host?: string; port: number; dir: string; log: (line: string) => void }): Promise<MailSink> {
  const host = opts.host ?? '127.0.0.1'
  if (await answers(host, opts.port)) return { started: false, close: async () => {} }
  mkdirSync(opts.dir, { recursive: true })
  let n = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // Ctrl-C should not wait for the notification service's pooled connections.
    closeTimeout: 1000,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('error', callback)
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        const to = session.envelope.rcptTo.map((r) => r.address).join(', ')
        const file = join(opts.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${n++}.eml`)
        writeFileSync(file, raw)
        opts.log(`to ${to}: ${subjectOf(raw.toString('utf8'))}`)
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, host, () => { server.off('error', reject); resolve() })
  })
  return { started: true, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
