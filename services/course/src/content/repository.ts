import { GridFSBucket, type Db, type GridFSBucketWriteStream, type GridFSFile } from 'mongodb'

export const CONTENT_BUCKET = 'content'

export interface ContentMetadata { courseId: string; uploadedBy: string; contentType: string }
export type ContentFile = Omit<GridFSFile, '_id' | 'metadata'> & { _id: string; metadata: ContentMetadata }

const bucket = (db: Db) => new GridFSBucket(db, { bucketName: CONTENT_BUCKET })

export function openUpload(db: Db, id: string, filename: string, metadata: ContentMetadata): GridFSBucketWriteStream {
  return bucket(db).openUploadStreamWithId(id as never, filename, { metadata })
}

export async function findContent(db: Db, courseId: string, id: string): Promise<ContentFile | null> {
  return db.collection<ContentFile>(`${CONTENT_BUCKET}.files`).findOne({ _id: id, 'metadata.courseId': courseId })
}

export async function listContent(db: Db, courseId: string): Promise<ContentFile[]> {
  return db.collection<ContentFile>(`${CONTENT_BUCKET}.files`).find({ 'metadata.courseId': courseId }).sort({ uploadDate: -1 }).limit(500).toArray()
}

/** Streams bytes [start, end] (inclusive) of a stored file. */
export function openDownload(db: Db, id: string, start: number, end: number) {
  return bucket(db).openDownloadStream(id as never, { start, end: end + 1 })
}

export async function deleteContent(db: Db, id: string): Promise<void> {
  await bucket(db).delete(id as never)
}

export async function deleteCourseContent(db: Db, courseId: string): Promise<void> {
  for (const file of await listContent(db, courseId)) await deleteContent(db, file._id)
}

/** Removes whatever a failed upload left (chunks, and the file document if it got that far). */
export async function discardUpload(db: Db, id: string): Promise<void> {
  await db.collection(`${CONTENT_BUCKET}.chunks`).deleteMany({ files_id: id as never })
  await db.collection(`${CONTENT_BUCKET}.files`).deleteOne({ _id: id as never })
}
