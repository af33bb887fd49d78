import Type, { type Static } from 'typebox'

export const PreferenceSchema = Type.Object({
  type: Type.String(),
  channel: Type.String(),
  enabled: Type.Boolean(),
  mutable: Type.Boolean(),
})
export const PreferenceListSchema = Type.Object({ items: Type.Array(PreferenceSchema) })

export const UpdatePreferencesSchema = Type.Object({
  preferences: Type.Array(Type.Object({
    type: Type.String({ minLength: 1, maxLength: 64 }),
    channel: Type.String({ minLength: 1, maxLength: 32 }),
    enabled: Type.Boolean(),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 100 }),
}, { additionalProperties: false })
export type UpdatePreferences = Static<typeof UpdatePreferencesSchema>
