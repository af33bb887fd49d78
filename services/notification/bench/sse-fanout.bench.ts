// SSE fan-out through the gateway (scripts/bench/stack.ts: the real user and notification
// services and the gateway on core 1, this load generator on core 0): N streams opened through
// the gateway, an admin broadcast to everyone through the gateway, latency from the notification
// row's commit (its createdAt) to receipt by each client, and resident memory per connection of
// the gateway and of the notification service. Users are minted (a `user.registered` event, a
// Redis session and a token signed with the user service's key) since registering 2,000 through
// bcrypt would dominate the run. SSE_CONNECTIONS=2000 by default. Stops by itself.
// Run: node --import tsx --conditions=@lms/source services/notification/bench/sse-fanout.bench.ts
import { Agent, get, type ClientRequest } from 'node:http'
import { loadAverage, pinLoadGenerator, rssBytes, startStack, waitUntil } from '../../../scripts/bench/stack.js'

const N = Number(process.env.SSE_CONNECTIONS ?? 2000)

/** prom-client's `nodejs_heap_size_used_bytes` of a process, from its /metrics. */
async function heapUsed(origin: string) {
  const text = await (await fetch(`${origin}/metrics`)).text()
  return Number(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)/m.exec(text)?.[1] ?? Number.NaN)
}

async function main() {
  pinLoadGenerator()
  const stack = await startStack({
    services: ['notification'],
    env: { gateway: { UPSTREAM_CONNECTIONS: String(N + 256) }, notification: { BULK_BATCH_SIZE: process.env.BULK_BATCH_SIZE ?? '100' } },
  })
  const requests: ClientRequest[] = []
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity })
  try {
    const users = await stack.mintUsers(N)
    const db = stack.database('notification')
    await waitUntil(`the notification service did not learn ${N} users`, async () => {
      const row = await db.selectFrom('userContacts').select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow() as { n: string }
      return Number(row.n) >= N
    }, 120_000)
    // Email muted, so the run measures the real-time path only.
    for (let i = 0; i < users.length; i += 1000) {
      await db.insertInto('preferences').values(users.slice(i, i + 1000).map((u) => ({ userId: u.id, type: 'announcement', channel: 'email', enabled: false }))).execute()
    }

    const gateway = new URL(stack.gatewayUrl)
    const rssBefore = { gateway: rssBytes(stack.pids.gateway!), notification: rssBytes(stack.pids.notification!) }
    const heapBefore = { gateway: await heapUsed(stack.gatewayUrl), notification: await heapUsed(stack.urls.notification!) }
    const latencies: number[] = []
    let received = 0
    let done: () => void = () => {}
    const allReceived = new Promise<void>((resolve) => { done = resolve })
    let opened = 0
    const openOne = (authorization: string) => new Promise<void>((resolve, reject) => {
      const req = get({ host: gateway.hostname, port: gateway.port, path: '/api/v1/notifications/stream', agent, headers: { authorization, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`))
        let buffer = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buffer += chunk
          let idx
          while ((idx = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, idx)
            buffer = buffer.slice(idx + 2)
            const data = frame.split('\n').find((l) => l.startsWith('data: '))
            if (!data) continue
            const payload = JSON.parse(data.slice(6)) as { title?: string; createdAt?: string }
            if (payload.title !== 'Broadcast' || !payload.createdAt) continue
            latencies.push(Date.now() - Date.parse(payload.createdAt))
            if (++received === N) done()
          }
        })
        opened++
        resolve()
      })
      req.on('error', reject)
      requests.push(req)
    })
    // Opened 200 at a time, as clients would arrive, not in one burst.
    for (let i = 0; i < users.length; i += 200) await Promise.all(users.slice(i, i + 200).map((u) => openOne(u.authorization)))
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const rssAfter = { gateway: rssBytes(stack.pids.gateway!), notification: rssBytes(stack.pids.notification!) }
    const heapAfter = { gateway: await heapUsed(stack.gatewayUrl), notification: await heapUsed(stack.urls.notification!) }
    const kib = (before: number, after: number) => ((after - before) / N / 1024).toFixed(1)
    console.log(`SSE fan-out through the gateway: ${opened} streams open`)
    console.log(`memory per connection (growth ÷ ${N}, no forced GC, so noisy): gateway RSS ${kib(rssBefore.gateway, rssAfter.gateway)} KiB, heap ${kib(heapBefore.gateway, heapAfter.gateway)} KiB; notification RSS ${kib(rssBefore.notification, rssAfter.notification)} KiB, heap ${kib(heapBefore.notification, heapAfter.notification)} KiB`)

    const started = Date.now()
    const res = await fetch(`${stack.gatewayUrl}/api/v1/notifications`, {
      method: 'POST', headers: { authorization: stack.admin.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ audience: 'all', title: 'Broadcast', body: 'Hello everyone' }),
    })
    const answer = await res.text()
    await Promise.race([allReceived, new Promise((resolve) => setTimeout(resolve, 60_000))])
    latencies.sort((a, b) => a - b)
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
    console.log(`broadcast ${res.status} ${answer}; received ${received}/${N} in ${Date.now() - started} ms`)
    console.log(`commit → client latency: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (target ≤ 200), max ${latencies.at(-1)} ms`)
    console.log(`load average: ${loadAverage()}`)
  } finally {
    for (const req of requests) req.destroy()
    agent.destroy()
    await stack.stop()
  }
}

await main()
