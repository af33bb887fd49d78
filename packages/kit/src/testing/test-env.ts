import { existsSync } from 'node:fs'

export interface TestEnv {
  pgAdminUrl: string
  redisUrl: string
  amqpUrl: string
  mongoUrl: string
  zipkinUrl: string
  rabbitManagementUrl: string
}

const VARIABLES = {
  pgAdminUrl: 'LMS_PG_ADMIN_URL',
  redisUrl: 'REDIS_URL',
  amqpUrl: 'AMQP_URL',
  mongoUrl: 'MONGO_URL',
  zipkinUrl: 'ZIPKIN_URL',
  rabbitManagementUrl: 'RABBITMQ_MANAGEMENT_URL',
} as const

let containers: Promise<TestEnv> | undefined

/**
 * The real servers tests run against: URLs from the environment (`npm test`
 * sets them after `deploy/local/infra.sh up`); without them, containers
 * started by testcontainers when a Docker engine answers; otherwise an error
 * that says how to start them.
 *
 * @example
 * const env = await testEnv()
 */
export async function testEnv(): Promise<TestEnv> {
  const missing = Object.values(VARIABLES).filter((name) => !process.env[name])
  if (missing.length === 0) {
    return Object.fromEntries(Object.entries(VARIABLES).map(([key, name]) => [key, process.env[name]!])) as unknown as TestEnv
  }
  if (dockerAvailable()) {
    containers ??= startContainers()
    return containers
  }
  throw new Error(
    `tests need real servers but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set and no Docker engine answers. ` +
      'Run the whole suite with `npm test` (it starts them), or start them with `bash deploy/local/infra.sh up` and ' +
      '`source .lms/infra.env` before running a single test file.',
  )
}

function dockerAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock')
}

async function startContainers(): Promise<TestEnv> {
  const { GenericContainer, Wait } = await import('testcontainers')
  const [pg, redis, rabbit, mongo, zipkin] = await Promise.all([
    new GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_PASSWORD: 'test', POSTGRES_DB: 'lms' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start(),
    new GenericContainer('redis:7-alpine').withExposedPorts(6379).start(),
    new GenericContainer('rabbitmq:3.13-management-alpine').withExposedPorts(5672, 15672)
      .withWaitStrategy(Wait.forLogMessage(/Server startup complete/)).start(),
    new GenericContainer('mongo:7').withExposedPorts(27017).start(),
    new GenericContainer('openzipkin/zipkin:3').withExposedPorts(9411).start(),
  ])
  const at = (c: { getHost(): string; getMappedPort(p: number): number }, port: number) => `${c.getHost()}:${c.getMappedPort(port)}`
  return {
    pgAdminUrl: `postgres://postgres:test@${at(pg, 5432)}/lms`,
    redisUrl: `redis://${at(redis, 6379)}`,
    amqpUrl: `amqp://guest:guest@${at(rabbit, 5672)}`,
    rabbitManagementUrl: `http://guest:guest@${at(rabbit, 15672)}`,
    mongoUrl: `mongodb://${at(mongo, 27017)}`,
    zipkinUrl: `http://${at(zipkin, 9411)}`,
  }
}
