// Interleaved A/B of the gateway against an earlier revision of itself, with the bare proxy as the
// reference: the working tree's gateway (started by scripts/bench/stack.ts), the gateway/src of
// REV (git archive into a scratch folder under gateway/, so its imports resolve as the current
// ones do) started with the same environment, and bare-proxy.ts, all on core 1, loaded in turn for
// AB_ROUNDS rounds of AB_SECONDS each, each round starting with the next of the three; prints the median CPU µs per request of each and the ratios.
// Taking turns puts the three under the same background load, so the ratios hold on a busy machine
// where absolute figures do not.
// Run: AB_REV=d0397fe node --import tsx --conditions=@lms/source gateway/bench/revision-ab.ts
// (AB_ROUNDS 5, AB_SECONDS 3, BENCH_CONNECTIONS 32, AB_PATHS the profile read and the JWKS; AB_METHOD and
// AB_BODY send a JSON body, e.g. AB_METHOD=PUT AB_BODY='{"fullName":"Bench"}' AB_PATHS=/api/v1/users/profile.)
import autocannon from 'autocannon'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpuMicros, loadAverage, pinLoadGenerator, startStack } from '../../scripts/bench/stack.js'
import { startBareProxy, startServer } from './reference-server.js'

const REV = process.env.AB_REV
const ROUNDS = Number(process.env.AB_ROUNDS ?? 5)
const SECONDS = Number(process.env.AB_SECONDS ?? 3)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const PATHS = (process.env.AB_PATHS ?? '/api/v1/users/profile,/.well-known/jwks.json').split(',')
/** `AB_METHOD=PUT AB_BODY='{"fullName":"Bench"}' AB_PATHS=/api/v1/users/profile`: requests with a JSON body. */
const METHOD = (process.env.AB_METHOD ?? 'GET') as 'GET' | 'PUT' | 'POST'
const BODY = process.env.AB_BODY
const gatewayDir = fileURLToPath(new URL('..', import.meta.url))

/** The environment the harness gave its gateway, so the earlier revision runs with the same one. */
function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)
  return Object.fromEntries(entries.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

async function main() {
  if (!REV) throw new Error('AB_REV (the git revision to compare against) is not set')
  const scratch = mkdtempSync(join(gatewayDir, '.revision-ab-'))
  const stops: Array<() => Promise<void>> = []
  try {
    execFileSync('sh', ['-c', `git archive ${JSON.stringify(REV)} gateway/src | tar -x -C ${JSON.stringify(scratch)}`], { cwd: join(gatewayDir, '..') })
    pinLoadGenerator()
    const stack = await startStack()
    stops.push(() => stack.stop())
    const earlier = await startServer('src/server.ts', environOf(stack.pids.gateway!), join(scratch, 'gateway'))
    stops.push(earlier.stop)
    const bare = await startBareProxy(stack.urls.user!)
    stops.push(bare.stop)
    const [student] = await stack.registerUsers(1)
    const auth = { authorization: student!.authorization }
    const targets = { current: { url: stack.gatewayUrl, pid: stack.pids.gateway! }, [REV]: earlier, bare }

    console.log(`gateway revision A/B: working tree vs ${REV} vs bare proxy, ${ROUNDS} rounds of ${SECONDS}s, ${CONNECTIONS} connections, servers on core 1`)
    for (const path of PATHS) {
      const headers: Record<string, string> = path === '/.well-known/jwks.json' ? {} : { ...auth }
      if (BODY) headers['content-type'] = 'application/json'
      const request = { method: METHOD, ...(BODY ? { body: BODY } : {}) }
      for (const target of Object.values(targets)) await autocannon({ url: target.url + path, ...request, headers, connections: CONNECTIONS, duration: 1 })
      const perRequest: Record<string, number[]> = {}
      const entries = Object.entries(targets)
      for (let round = 0; round < ROUNDS; round++) {
        // Each round starts with the next one: the first of a round measured up to 1.12× the same
        // code in the second place (an A/A run of one revision against itself).
        const order = [...entries.slice(round % entries.length), ...entries.slice(0, round % entries.length)]
        for (const [name, target] of order) {
          const before = cpuMicros(target.pid)
          const result = await autocannon({ url: target.url + path, ...request, headers, connections: CONNECTIONS, duration: SECONDS })
          if (result.non2xx > 0 || result.errors > 0) console.log(`  ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
          ;(perRequest[name] ??= []).push((cpuMicros(target.pid) - before) / result.requests.total)
        }
      }
      const current = median(perRequest.current!)
      const previous = median(perRequest[REV]!)
      const reference = median(perRequest.bare!)
      console.log(`${path}: CPU µs/request (median) current ${current.toFixed(0)}, ${REV} ${previous.toFixed(0)}, bare ${reference.toFixed(0)}; current ÷ ${REV} ${(current / previous).toFixed(2)}, current ÷ bare ${(current / reference).toFixed(2)}, ${REV} ÷ bare ${(previous / reference).toFixed(2)}`)
      for (const [name, values] of Object.entries(perRequest)) console.log(`  ${name}: ${values.map((v) => v.toFixed(0)).join(' ')}`)
    }
    console.log(`load average: ${loadAverage()}`)
  } finally {
    for (const stop of stops.reverse()) await stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
