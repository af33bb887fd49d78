// User service benchmark through the gateway (scripts/bench/stack.ts: the real user service and
// the gateway on core 1, this load generator on core 0): registration and login, both bound by
// bcrypt (cost 10 here, the minimum the service accepts; production default 12), and the
// authenticated profile read. Stops by itself and drops everything it created.
// Run: node --import tsx --conditions=@lms/source services/user/bench/auth.bench.ts
import autocannon from 'autocannon'
import { loadAverage, pinLoadGenerator, startStack } from '../../../scripts/bench/stack.js'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const USERS = 40
const CONNECTIONS = 10

async function main() {
  pinLoadGenerator()
  const stack = await startStack()
  try {
    const started = performance.now()
    const users = await stack.registerUsers(USERS, CONNECTIONS)
    const registerSeconds = (performance.now() - started) / 1000
    console.log(`user service bench through the gateway (BCRYPT_COST=10); ${CONNECTIONS} connections, ${DURATION_S}s per run`)
    console.log(`\nPOST /auth/register     ${(USERS / registerSeconds).toFixed(0).padStart(6)} req/s  (${USERS} registrations, ${CONNECTIONS} at a time)`)

    let n = 0
    const login = await autocannon({
      url: stack.gatewayUrl, connections: CONNECTIONS, duration: DURATION_S,
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const user = users[n++ % users.length]!
          return { ...req, path: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) }
        },
      }],
    })
    console.log(`POST /auth/login        ${login.requests.average.toFixed(0).padStart(6)} req/s  p50 ${login.latency.p50} ms  p99 ${login.latency.p99} ms  non-2xx ${login.non2xx}`)

    let m = 0
    const profile = await autocannon({
      url: stack.gatewayUrl, connections: 32, duration: DURATION_S,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: '/api/v1/users/profile', headers: { authorization: users[m++ % users.length]!.authorization } }) }],
    })
    console.log(`GET /users/profile      ${profile.requests.average.toFixed(0).padStart(6)} req/s  p50 ${profile.latency.p50} ms  p99 ${profile.latency.p99} ms  non-2xx ${profile.non2xx} (32 connections)`)
    console.log(`load average: ${loadAverage()}`)
  } finally {
    await stack.stop()
  }
}

await main()
