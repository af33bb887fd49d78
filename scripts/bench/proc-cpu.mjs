// CPU time and wakes from Linux /proc for the benchmarks: a process's, the whole machine's, and which processes
// are PostgreSQL, Redis and RabbitMQ. Plain JS, so cpu-sampler.mjs runs it without tsx; the types are
// in proc-cpu.d.mts.
import { Buffer } from 'node:buffer'
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs'

/** /proc counts CPU time in ticks of 10 ms (USER_HZ 100). */
export const TICK_MS = 10

/** The infrastructure servers the benchmarks share the machine with, by process name. */
const SERVERS = [['postgres', (comm) => comm === 'postgres'], ['redis', (comm) => comm.startsWith('redis')], ['rabbitmq', (comm) => comm === 'beam.smp']]
export const SERVER_NAMES = SERVERS.map(([name]) => name)

// Files read many times stay open and are read again from their start: an open and a close per
// read every 10 ms cost the sampler a tenth of a core here.
const files = new Map()
const buffer = Buffer.alloc(4096)

/** The text at the start of a /proc file, or undefined once it is gone; `keepOpen` for files read again and again. */
function readProc(path, keepOpen) {
  if (!keepOpen) {
    try { return readFileSync(path, 'latin1') } catch { return undefined }
  }
  let fd = files.get(path)
  try {
    if (fd === undefined) {
      fd = openSync(path, 'r')
      files.set(path, fd)
    }
    return buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0))
  } catch {
    closeFile(path)
    return undefined
  }
}

function closeFile(path) {
  const fd = files.get(path)
  if (fd === undefined) return
  try { closeSync(fd) } catch { /* already gone */ }
  files.delete(path)
}

/** User + system ticks of a process (all its threads) so far, or undefined once it exited. */
export function processTicks(pid, keepOpen = false) {
  const stat = readProc(`/proc/${pid}/stat`, keepOpen)
  if (stat === undefined) return undefined
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/**
 * How many times a process's threads have gone to sleep waiting (voluntary context switches, all
 * threads), or undefined once it exited. Each one is a wake to pay for, and on the VM these
 * benchmarks were written on a wake is what a request's CPU time mostly buys (scripts/bench/README.md).
 */
export function processWakes(pid) {
  let tasks
  try { tasks = readdirSync(`/proc/${pid}/task`) } catch { return undefined }
  let wakes = 0
  for (const task of tasks) {
    const status = readProc(`/proc/${pid}/task/${task}/status`, false)
    const match = status && /^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)
    if (match) wakes += Number(match[1])
  }
  return wakes
}

/** Closes the files kept open for processes other than `pids` (those that exited, or are no longer watched). */
export function keepOpenOnly(pids) {
  const wanted = new Set([...pids].map((pid) => `/proc/${pid}/stat`))
  for (const path of [...files.keys()]) if (path !== '/proc/stat' && !wanted.has(path)) closeFile(path)
}

/** The pids of PostgreSQL, Redis and RabbitMQ, in the order of {@link SERVER_NAMES}. */
export function serverProcesses() {
  const found = SERVERS.map(() => [])
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    let comm
    try { comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim() } catch { continue }
    SERVERS.forEach(([, match], i) => { if (match(comm)) found[i].push(Number(pid)) })
  }
  return found
}

/**
 * The machine's ticks so far, all CPUs: busy (interrupts included), idle (with I/O wait), steal (the
 * hypervisor running something else on this VM's CPUs) and the part of busy in interrupts and softirqs.
 */
export function machineTicks(keepOpen = false) {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readProc('/proc/stat', keepOpen).split('\n')[0].split(/\s+/).slice(1, 9).map(Number)
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal, interrupts: irq + softirq }
}
