// Starting the benchmarks' own servers (the bare proxy, an earlier gateway) on the servers' core.
import { fileURLToPath } from 'node:url'
import { freePort, spawnServer, waitUntil } from '../../scripts/bench/stack.js'

export interface ReferenceServer { url: string; pid: number; stop(): Promise<void> }

/** `entry` on a free port (`PORT` in its env), ready once it serves the JWKS; stopped with `stop()`. */
export async function startServer(entry: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<ReferenceServer> {
  const port = await freePort()
  const child = spawnServer(entry, { cwd, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] })
  const url = `http://127.0.0.1:${port}`
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
  try {
    await waitUntil(`${entry} was not ready on :${port}`, async () => (await fetch(`${url}/.well-known/jwks.json`)).ok, 60_000)
  } catch (error) {
    await stop()
    throw error
  }
  return { url, pid: child.pid!, stop }
}

/** The bare proxy (bare-proxy.ts) in front of `upstream`. */
export function startBareProxy(upstream: string): Promise<ReferenceServer> {
  return startServer(fileURLToPath(new URL('./bare-proxy.ts', import.meta.url)), { ...process.env, UPSTREAM_URL: upstream })
}
