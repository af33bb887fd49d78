import { problemResponses, type App } from '@lms/kit'
import { PreferenceListSchema, UpdatePreferencesSchema } from './schemas.js'
import type { PreferenceService } from './service.js'

const secured = { security: [{ bearerAuth: [] }] }
const tags = ['preferences']

export async function preferenceRoutes(app: App, opts: { preferences: PreferenceService }) {
  const { preferences } = opts

  app.get('/api/v1/notifications/preferences', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'The caller\'s preferences per type and channel, defaults filled in', ...secured, response: { 200: PreferenceListSchema, ...problemResponses } },
  }, async (request) => preferences.get(request.user.id))

  app.put('/api/v1/notifications/preferences', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'Turn channels on or off per type (security notices can\'t be muted)', ...secured,
      body: UpdatePreferencesSchema, response: { 200: PreferenceListSchema, ...problemResponses },
    },
  }, async (request) => preferences.update(request.user.id, request.body))
}
