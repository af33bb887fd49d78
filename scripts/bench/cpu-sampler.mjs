// Started by stack.ts's sampleCpu: every argv[3] ms (stack.ts's SAMPLE_MS), the CPU time (all
// threads) each process group used since the last sample, as lines `<epoch ms> <ms> <ms> …` in the
// order of the groups, until stdin closes. Groups: the pids given as JSON in argv[2], this sampler,
// then PostgreSQL, Redis and RabbitMQ found by process name; then four columns for the whole machine
// (all cores, /proc/stat): busy, idle, steal (time the hypervisor ran something else on this VM's
// CPUs) and the part of busy spent in interrupts and softirqs (loopback TCP is processed there,
// charged to no process), read through proc-cpu.mjs. Plain JS, so it starts without tsx; the
// harness pins it to the load generator's core.
import process from 'node:process'
import { clearInterval, setInterval } from 'node:timers'
import { SERVER_NAMES, TICK_MS, keepOpenOnly, machineTicks, processTicks, serverProcesses } from './proc-cpu.mjs'

const named = [...Object.entries(JSON.parse(process.argv[2])), ['sampler', process.pid]]
const MACHINE_COLUMNS = ['busy', 'idle', 'steal', 'interrupts']
const findGroups = () => {
  const groups = [...named.map(([, pid]) => [pid]), ...serverProcesses()]
  keepOpenOnly(groups.flat())
  return groups
}
const machine = () => {
  const ticks = machineTicks(true)
  return MACHINE_COLUMNS.map((column) => ticks[column])
}

process.stdout.write(`${[...named.map(([name]) => name), ...SERVER_NAMES, ...MACHINE_COLUMNS.map((column) => `machine:${column}`)].join(' ')}\n`)
let lastMachine = machine()
let groups = findGroups()
let rescanAt = Date.now() + 1000
const last = new Map()
const sample = () => {
  if (Date.now() >= rescanAt) { groups = findGroups(); rescanAt = Date.now() + 1000 }
  const used = groups.map((pids) => pids.reduce((sum, pid) => {
    const now = processTicks(pid, true)
    if (now === undefined) return sum
    const before = last.get(pid) ?? now
    last.set(pid, now)
    return sum + (now - before) * TICK_MS
  }, 0))
  const now = machine()
  const machineMs = now.map((ticks, i) => (ticks - lastMachine[i]) * TICK_MS)
  lastMachine = now
  process.stdout.write(`${Date.now()} ${[...used, ...machineMs].join(' ')}\n`)
}
sample()
const timer = setInterval(sample, Number(process.argv[3] ?? 20))
process.stdin.on('end', () => { clearInterval(timer); process.exit(0) }).resume()
