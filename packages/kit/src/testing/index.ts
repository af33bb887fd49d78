export { testEnv, type TestEnv } from './test-env.js'
export { createTestDatabase, randomName } from './test-database.js'
export { generateSigningKey, signTestToken, type TestSigningKey } from './keys.js'
