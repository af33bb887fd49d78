// The reference server of wake-baseline.ts: Node's http module answering `ok` to every request on
// loopback, nothing else. Prints its port on stdout.
import { createServer } from 'node:http'
import process from 'node:process'

const server = createServer((request, response) => response.end('ok'))
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
