import { once } from 'node:events'
import { request } from 'node:http'
import t from 'tap'
import WebSocket, { WebSocketServer } from 'ws'
import { bearer, build, listen, startStandIn } from '../helper.js'

t.test('server-sent events stream through one by one, without buffering and without a body timeout (200)', async (t) => {
  let send: ((data: string) => void) | undefined
  const notification = await startStandIn(t, 'notification', (app) => {
    app.get('/api/v1/notifications/stream', (request, reply) => {
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      reply.raw.write(': connected\n\n')
      send = (data) => reply.raw.write(`data: ${data}\n\n`)
      request.raw.on('close', () => reply.raw.end())
      reply.hijack()
    })
  })
  const h = await build(t, { upstreams: { notification: notification.url }, upstreamTimeoutMs: 300 })
  const { token } = await h.login()
  const url = await listen(h.gateway)
  const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    request(`${url}/api/v1/notifications/stream`, { headers: bearer(token) }, resolve).on('error', reject).end()
  })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /text\/event-stream/)
  const chunks: string[] = []
  response.setEncoding('utf8')
  const next = () => once(response, 'data').then(([chunk]) => { chunks.push(chunk as string); return chunk as string })
  t.match(await next(), /: connected/)
  await new Promise((resolve) => setTimeout(resolve, 500))
  send!('first')
  t.match(await next(), /data: first/, 'an event arrives on its own, after longer than the normal upstream timeout')
  send!('second')
  t.match(await next(), /data: second/)
  response.destroy()

  // Browsers' EventSource cannot set headers: the stream also takes the token in the query.
  const viaQuery = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    request(`${url}/api/v1/notifications/stream?access_token=${token}`, resolve).on('error', reject).end()
  })
  t.equal(viaQuery.statusCode, 200, 'a query token opens the stream')
  viaQuery.destroy()
  const forged = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    request(`${url}/api/v1/notifications/stream?access_token=${token.slice(0, -3)}abc`, resolve).on('error', reject).end()
  })
  t.equal(forged.statusCode, 401, 'a forged query token does not')
  forged.resume()
})

t.test('WebSockets on /api/v1/notifications/ws pass through both ways with the caller authenticated (101)', async (t) => {
  const notification = await startStandIn(t, 'notification')
  const wss = new WebSocketServer({ server: notification.app.server })
  const upgradeHeaders: Array<Record<string, unknown>> = []
  wss.on('connection', (socket, req) => {
    upgradeHeaders.push(req.headers)
    socket.on('message', (data) => socket.send(`echo:${String(data)}`))
  })
  t.teardown(() => wss.close())
  const h = await build(t, { upstreams: { notification: notification.url } })
  const { token } = await h.login()
  const url = (await listen(h.gateway)).replace('http', 'ws')

  const socket = new WebSocket(`${url}/api/v1/notifications/ws`, { headers: { ...bearer(token), 'x-user-id': 'spoofed' } })
  await once(socket, 'open')
  socket.send('hello')
  const [reply] = await once(socket, 'message')
  t.equal(String(reply), 'echo:hello')
  t.equal(upgradeHeaders[0]?.authorization, `Bearer ${token}`)
  t.equal(upgradeHeaders[0]?.['x-user-id'], undefined)
  t.ok(upgradeHeaders[0]?.['x-request-id'])
  socket.close()

  const viaQuery = new WebSocket(`${url}/api/v1/notifications/ws?access_token=${token}`)
  await once(viaQuery, 'open')
  viaQuery.close()

  const anonymous = new WebSocket(`${url}/api/v1/notifications/ws`)
  const [, response] = await once(anonymous, 'unexpected-response') as [unknown, import('node:http').IncomingMessage]
  t.equal(response.statusCode, 401, 'no token, no upgrade')
})
