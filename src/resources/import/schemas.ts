import { Type, type Static } from '../../schemas.js'
import { importFormats, type ImportFormat } from './records.js'

const Counts = Type.Object({
  created: Type.Integer({ minimum: 0 }),
  updated: Type.Integer({ minimum: 0 }),
  unchanged: Type.Integer({ minimum: 0 }),
  skipped: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })

export const ImportFormatName = Type.Unsafe<ImportFormat>({
  type: 'string',
  enum: [...importFormats],
  description: 'An export format: Blogger (legacy GData Atom, 2018 Takeout Atom, API v3 JSON), WordPress WXR 1.0–1.2, or Dateline NDJSON'
})

export const ImportReport = Type.Object({
  format: ImportFormatName,
  dryRun: Type.Boolean({ description: 'Nothing was written: the counts say what an import would do' }),
  counts: Type.Object({
    authors: Counts,
    articles: Counts,
    comments: Counts,
    media: Type.Object(Counts.properties, { additionalProperties: false, description: 'Images the file names by address (WordPress attachments, Blogger thumbnails): external media items until `dateline media fetch` brings their files' }),
    days: Counts,
    redirects: Type.Object(Counts.properties, { additionalProperties: false, description: 'Editors\' redirects (Dateline exports from version 4)' }),
    pages: Type.Object(Counts.properties, { additionalProperties: false, description: 'Static pages (WordPress and Blogger pages; Dateline exports from version 4)' })
  }, { additionalProperties: false }),
  skipped: Type.Array(Type.Object({
    resource: Type.String(),
    sourceId: Type.Union([Type.String(), Type.Null()]),
    reason: Type.String()
  }, { additionalProperties: false }), { description: 'Rows not imported and why (the first 1,000)' }),
  notes: Type.Array(Type.Object({
    resource: Type.String(),
    sourceId: Type.Union([Type.String(), Type.Null()]),
    note: Type.String()
  }, { additionalProperties: false }), { description: 'Imported rows worth a look (a private post imported as a draft, …; the first 1,000)' }),
  settings: Type.Array(Type.Object({ name: Type.String(), value: Type.String() }, { additionalProperties: false }), {
    description: 'Settings found in the file; reported, never applied'
  })
}, {
  $id: 'ImportReport',
  additionalProperties: false,
  examples: [{
    format: 'wxr',
    dryRun: false,
    counts: {
      authors: { created: 2, updated: 0, unchanged: 0, skipped: 0 },
      articles: { created: 14, updated: 0, unchanged: 0, skipped: 1 },
      comments: { created: 31, updated: 0, unchanged: 0, skipped: 0 },
      media: { created: 36, updated: 0, unchanged: 0, skipped: 1 },
      days: { created: 9, updated: 0, unchanged: 0, skipped: 0 },
      redirects: { created: 0, updated: 0, unchanged: 0, skipped: 0 },
      pages: { created: 3, updated: 0, unchanged: 0, skipped: 0 }
    },
    skipped: [{ resource: 'media', sourceId: '118', reason: 'not an image the library takes (.mov)' }],
    notes: [{ resource: 'article', sourceId: '97', note: 'a private post: imported as a draft' }],
    settings: [{ name: 'timezone', value: 'Europe/London' }]
  }]
})

export type ImportReportBody = Static<typeof ImportReport>

export const ImportQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Do everything but commit' })),
  format: Type.Optional(ImportFormatName)
}, { additionalProperties: false })

export const importSchemas = [ImportReport]
