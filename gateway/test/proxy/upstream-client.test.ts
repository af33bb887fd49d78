import { Agent, request, type IncomingMessage } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, listen, startStandIn } from '../helper.js'

// node:http with a raw path, not fetch: undici refuses a Connection header that lists other
// headers, and a URL string would have its dot segments resolved before they were sent.
function get(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  const { hostname, port } = new URL(url)
  const path = url.slice(url.indexOf('/', url.indexOf('//') + 2))
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, headers }, resolve).on('error', reject).end()
  })
}

async function text(response: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of response) body += String(chunk)
  return body
}

t.test('hop-by-hop headers go neither way; every set-cookie comes back (200)', async (t) => {
  const userRoutes = (app: FastifyInstance) => {
    app.get('/api/v1/users/cookies', (_request, reply) => {
      reply.raw.writeHead(200, [
        'content-type', 'application/json', 'set-cookie', 'a=1', 'set-cookie', 'b=2',
        'connection', 'keep-alive, x-upstream-private', 'x-upstream-private', 'secret', 'keep-alive', 'timeout=5',
      ])
      reply.raw.end('{}')
      reply.hijack()
    })
  }
  const h = await build(t, { userRoutes })
  const { token } = await h.login()
  const url = await listen(h.gateway)

  const echoed = await get(`${url}/api/v1/users/echo`, { ...bearer(token), connection: 'keep-alive, x-client-private', 'x-client-private': 'drop me', 'x-kept': 'yes' })
  t.equal(echoed.statusCode, 200)
  const { headers } = JSON.parse(await text(echoed)) as { headers: Record<string, string> }
  t.equal(headers['x-client-private'], undefined, 'a header the client named in Connection stays at the gateway')
  t.equal(headers['x-kept'], 'yes')
  t.not(headers.host, new URL(url).host, 'the service gets its own host, not the gateway\'s')

  const cookies = await get(`${url}/api/v1/users/cookies`, bearer(token))
  cookies.resume()
  t.equal(cookies.statusCode, 200)
  t.same(cookies.headers['set-cookie'], ['a=1', 'b=2'])
  t.equal(cookies.headers['x-upstream-private'], undefined, 'a header the service named in Connection stays at the gateway')
  t.not(cookies.headers['keep-alive'], 'timeout=5', 'the gateway\'s own keep-alive, not the service\'s')
})

t.test('a Range request gets the service\'s 206 and exactly the bytes asked for', async (t) => {
  const course = await startStandIn(t, 'course', (app) => {
    app.get('/api/v1/courses/c1/file', async (request, reply) => {
      const range = /bytes=(\d+)-(\d+)/.exec(String(request.headers.range))
      const text = '0123456789'
      if (!range) return text
      reply.code(206).header('content-range', `bytes ${range[1]}-${range[2]}/${text.length}`)
      return text.slice(Number(range[1]), Number(range[2]) + 1)
    })
  })
  const h = await build(t, { upstreams: { course: course.url } })
  const { token } = await h.login()
  const res = await h.gateway.inject({ url: '/api/v1/courses/c1/file', headers: { ...bearer(token), range: 'bytes=2-5' } })
  t.equal(res.statusCode, 206)
  t.equal(res.headers['content-range'], 'bytes 2-5/10')
  t.equal(res.body, '2345')
})

t.test('a chunked upload streams through to the service byte for byte (200)', async (t) => {
  const h = await build(t, { bodyLimit: 64 * 1024 })
  const { token } = await h.login()
  const parts = Array.from({ length: 20 }, (_, i) => `part-${i}-${'x'.repeat(1000)};`)
  const res = await h.gateway.inject({
    method: 'PUT',
    url: '/api/v1/assessments/a1/upload',
    headers: { ...bearer(token), 'content-type': 'text/plain', 'transfer-encoding': 'chunked' },
    payload: Readable.from(parts),
  })
  t.equal(res.statusCode, 200)
  t.equal(res.json().body, parts.join(''))
})

t.test('a path with a dot segment is 400 problem+json without reaching any service', async (t) => {
  const h = await build(t)
  const { token } = await h.login()
  // Over a socket: inject would resolve the dot segments before the gateway saw them.
  const url = await listen(h.gateway)
  for (const path of ['/api/v1/courses/../users/profile', '/api/v1/courses/%2e%2e/users/profile', '/api/v1/courses/c1/..']) {
    const res = await get(url + path, bearer(token))
    t.equal(res.statusCode, 400, path)
    t.match(JSON.parse(await text(res)), { status: 400, code: 'GW_ERR_BAD_PATH' }, path)
  }
})

t.test('clients that hang up mid-request do not open the circuit: the next request is 200', async (t) => {
  let arrived: (() => void) | undefined
  const notification = await startStandIn(t, 'notification', (app) => {
    app.get('/api/v1/notifications/slow', async () => {
      arrived?.()
      await new Promise((resolve) => setTimeout(resolve, 2_000))
      return { late: true }
    })
  })
  const h = await build(t, { upstreams: { notification: notification.url }, breaker: { failureThreshold: 2, resetMs: 60_000 } })
  const { token } = await h.login()
  const url = await listen(h.gateway)
  for (let i = 0; i < 3; i++) {
    const reached = new Promise<void>((resolve) => { arrived = resolve })
    const abandoned = request(`${url}/api/v1/notifications/slow`, { headers: bearer(token) })
    const closed = new Promise((resolve) => abandoned.on('error', () => {}).on('close', resolve))
    const answered = new Promise<void>((resolve) => abandoned.on('response', () => resolve()))
    abandoned.end()
    await Promise.race([reached, answered])
    abandoned.destroy()
    await closed
  }
  const res = await fetch(`${url}/api/v1/notifications`, { headers: bearer(token) })
  t.equal(res.status, 200)
  await res.body?.cancel()
})

t.test('an idle keep-alive connection does not hold on to its last request once it is answered', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const h = await build(t)
  const { token } = await h.login()
  const replies: Array<WeakRef<object>> = []
  h.gateway.addHook('onRequest', async (_request, reply) => { replies.push(new WeakRef(reply)) })
  const url = await listen(h.gateway)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const { hostname, port } = new URL(url)
  const body = JSON.stringify({ title: 'kept?' })
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    request({ agent, hostname, port, method: 'PUT', path: '/api/v1/courses/c1', headers: { ...bearer(token), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, resolve)
      .on('error', reject).end(body)
  })
  t.equal(res.statusCode, 200)
  t.match(JSON.parse(await text(res)), { service: 'course', body })
  t.equal(Object.values(agent.freeSockets).flat().length, 1, 'the connection stays open, idle')

  for (let i = 0; i < 5 && replies[0]!.deref(); i++) {
    await new Promise((resolve) => setImmediate(resolve))
    gc()
  }
  t.equal(replies.length, 1)
  t.equal(replies[0]!.deref(), undefined, 'the reply (and the request, response and exchange behind it) was collected')
})
