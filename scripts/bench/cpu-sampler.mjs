// Started by stack.ts's sampleCpu: every argv[3] ms (stack.ts's SAMPLE_MS), the CPU time (all
// threads) each process group used since the last sample, as lines `<epoch ms> <ms> <ms> …` in the
// order of the groups, until stdin closes. Groups: the pids given as JSON in argv[2], this sampler,
// then PostgreSQL, Redis and RabbitMQ found by process name; then four columns for the whole machine
// (all cores, /proc/stat): busy, idle, steal (time the hypervisor ran something else on this VM's
// CPUs) and the part of busy spent in interrupts and softirqs (loopback TCP is processed there,
// charged to no process). Plain JS, so it starts without tsx; the harness pins it to the load
// generator's core.
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs'
import { Buffer } from 'node:buffer'
import process from 'node:process'
import { clearInterval, setInterval } from 'node:timers'

const named = [...Object.entries(JSON.parse(process.argv[2])), ['sampler', process.pid]]
const byName = [['postgres', (comm) => comm === 'postgres'], ['redis', (comm) => comm.startsWith('redis')], ['rabbitmq', (comm) => comm === 'beam.smp']]
const TICK_MS = 10 // USER_HZ 100: /proc/<pid>/stat counts CPU time in 10 ms ticks

// Every file stays open and is read again from its start: an open and a close per file and sample
// made this sampler cost a tenth of a core here, on the load generator's core.
const files = new Map()
const buffer = Buffer.alloc(4096)
/** The text at the start of a /proc file, or undefined once it is gone (the process exited). */
const readProc = (path) => {
  let fd = files.get(path)
  try {
    if (fd === undefined) {
      fd = openSync(path, 'r')
      files.set(path, fd)
    }
    return buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0))
  } catch {
    if (fd !== undefined) {
      try { closeSync(fd) } catch { /* already gone */ }
      files.delete(path)
    }
    return undefined
  }
}
const ticks = (pid) => {
  const stat = readProc(`/proc/${pid}/stat`)
  if (stat === undefined) return undefined
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
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

/** The machine's busy, idle and steal ticks so far (all CPUs). */
const machine = () => {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readProc('/proc/stat').split('\n')[0].split(/\s+/).slice(1, 9).map(Number)
  return [user + nice + system + irq + softirq, idle + iowait, steal, irq + softirq]
}
process.stdout.write(`${[...named.map(([name]) => name), ...byName.map(([name]) => name), 'machine:busy', 'machine:idle', 'machine:steal', 'machine:interrupts'].join(' ')}\n`)
let lastMachine = machine()
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
  const now = machine()
  const machineMs = now.map((ticks, i) => (ticks - lastMachine[i]) * TICK_MS)
  lastMachine = now
  process.stdout.write(`${Date.now()} ${[...used, ...machineMs].join(' ')}\n`)
}
sample()
const timer = setInterval(sample, Number(process.argv[3] ?? 20))
process.stdin.on('end', () => { clearInterval(timer); process.exit(0) }).resume()
