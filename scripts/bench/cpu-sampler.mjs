// Started by stack.ts's sampleCpu: every 10 ms, the CPU time (all threads) each process group used
// since the last sample, as lines `<epoch ms> <ms> <ms> …` in the order of the groups, until stdin
// closes. Groups: the pids given as JSON in argv[2], plus PostgreSQL, Redis and RabbitMQ found by
// process name. Plain JS, so it starts without tsx; the harness pins it to the load generator's core.
import { readFileSync, readdirSync } from 'node:fs'
import process from 'node:process'
import { clearInterval, setInterval } from 'node:timers'

const named = Object.entries(JSON.parse(process.argv[2]))
const byName = [['postgres', (comm) => comm === 'postgres'], ['redis', (comm) => comm.startsWith('redis')], ['rabbitmq', (comm) => comm === 'beam.smp']]
const TICK_MS = 10 // USER_HZ 100: /proc/<pid>/stat counts CPU time in 10 ms ticks

const ticks = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return undefined
  }
}
const findGroups = () => {
  const groups = named.map(([, pid]) => [pid])
  const found = byName.map(() => [])
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    let comm
    try { comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim() } catch { continue }
    byName.forEach(([, match], i) => { if (match(comm)) found[i].push(Number(pid)) })
  }
  return [...groups, ...found]
}

process.stdout.write(`${[...named.map(([name]) => name), ...byName.map(([name]) => name)].join(' ')}\n`)
let groups = findGroups()
let rescanAt = Date.now() + 1000
const last = new Map()
const sample = () => {
  if (Date.now() >= rescanAt) { groups = findGroups(); rescanAt = Date.now() + 1000 }
  const used = groups.map((pids) => pids.reduce((sum, pid) => {
    const now = ticks(pid)
    if (now === undefined) return sum
    const before = last.get(pid) ?? now
    last.set(pid, now)
    return sum + (now - before) * TICK_MS
  }, 0))
  process.stdout.write(`${Date.now()} ${used.join(' ')}\n`)
}
sample()
const timer = setInterval(sample, 10)
process.stdin.on('end', () => { clearInterval(timer); process.exit(0) }).resume()
