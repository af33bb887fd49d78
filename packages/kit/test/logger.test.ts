import { pino } from 'pino'
import { Writable } from 'node:stream'
import t from 'tap'
import { loggerOptions, requestChildLogger } from '../src/app/logger.js'

function capture() {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done() } })
  return { lines, logger: pino(loggerOptions('kit-test', 'info') as object, stream) }
}

t.test('a request logger writes its request id on every line and still redacts', async (t) => {
  const { lines, logger } = capture()
  const request = requestChildLogger(logger as never, { reqId: 'req-1' }, {})
  request.info({ email: 'ada@example.com', body: { password: 'secret' } }, 'signed in')
  request.child({ step: 'nested' }).warn('again')
  logger.info('outside any request')
  t.match(lines[0], { service: 'kit-test', reqId: 'req-1', email: '[redacted]', body: { password: '[redacted]' }, msg: 'signed in' })
  t.match(lines[1], { reqId: 'req-1', step: 'nested', msg: 'again' })
  t.notOk('reqId' in lines[2]!, 'the process logger has no request id')
})

t.test('a route log level still applies to the request logger', async (t) => {
  const { lines, logger } = capture()
  const request = requestChildLogger(logger as never, { reqId: 'req-2' }, { level: 'error' })
  request.warn('dropped')
  request.error('kept')
  t.equal(lines.length, 1)
  t.match(lines[0], { reqId: 'req-2', msg: 'kept' })
})
