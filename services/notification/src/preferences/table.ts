export interface PreferenceTable {
  userId: string
  type: string
  channel: string
  enabled: boolean
}
