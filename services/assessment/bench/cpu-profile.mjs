// Preload for a V8 CPU profile of a benchmark's child (Node refuses --cpu-prof in NODE_OPTIONS):
//   CPU_PROFILE_DIR=/tmp/prof BENCH_NODE_OPTIONS="--import $PWD/services/assessment/bench/cpu-profile.mjs" node … submit.bench.ts
// writes <dir>/<pid>.cpuprofile (dir defaults to the OS temp dir) when the process exits (open it in Chrome DevTools or speedscope).
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { tmpdir } from 'node:os'
import process from 'node:process'

const session = new Session()
session.connect()
session.post('Profiler.enable')
session.post('Profiler.start')
process.on('exit', () => {
  // A same-thread inspector session answers synchronously, so this still runs before the process ends.
  session.post('Profiler.stop', (err, result) => {
    if (!err) writeFileSync(`${process.env.CPU_PROFILE_DIR ?? tmpdir()}/${process.pid}.cpuprofile`, JSON.stringify(result.profile))
  })
})
