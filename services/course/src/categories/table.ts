export interface CategoryDoc {
  _id: string
  name: string
  nameKey: string
  description: string
  createdAt: Date
  updatedAt: Date
}
