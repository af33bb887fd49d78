export { buildApp, type AppDeps } from './app.js'
export { readConfig, CourseConfig, type Config } from './config.js'
export { migrate } from './migrate.js'
