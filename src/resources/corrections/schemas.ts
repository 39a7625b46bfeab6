import { correctionExamples, demoExample } from '../../demo/examples.js'
import { idOrSlugParam, idParam, ListMeta, pageQuery, ref, Slug, Timestamp, Type, type Static, visibleTextPattern } from '../../schemas.js'

/** How many corrections an article may carry: every read of it embeds them all. */
export const maxCorrectionsPerArticle = 50

const note = Type.String({
  minLength: 1,
  maxLength: 2000,
  pattern: visibleTextPattern,
  description: 'Plain text: what was wrong and what is right now (1–2000 characters; line breaks are kept)',
  examples: [correctionExamples.correction.note]
})
const correctedAt = Type.String({ format: 'date-time', description: 'When the article was corrected: what readers are shown', examples: [correctionExamples.correction.correctedAt] })

const embedded = {
  id: Type.Integer({ minimum: 1, examples: [correctionExamples.correction.id] }),
  note: Type.String({ description: 'Plain text', examples: [correctionExamples.correction.note] }),
  correctedAt
}

/** A correction as an article embeds it (`corrections`). */
export const ArticleCorrection = Type.Object(embedded, {
  $id: 'ArticleCorrection',
  additionalProperties: false,
  description: 'One entry of an article\'s corrections box',
  examples: [correctionExamples.embedded]
})
export type ArticleCorrectionBody = Static<typeof ArticleCorrection>

const correctionProperties = {
  ...embedded,
  articleId: Type.Integer({ minimum: 1, examples: [demoExample.article.id] }),
  createdAt: Timestamp,
  updatedAt: Type.String({ format: 'date-time', description: 'When the note was last written (a typo fixed): not a correction of the article' })
}

export const Correction = Type.Object(correctionProperties, {
  $id: 'Correction',
  additionalProperties: false,
  description: 'A public note that the article was corrected, and when',
  examples: [correctionExamples.correction]
})
export type CorrectionBody = Static<typeof Correction>

export const CorrectedArticle = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  slug: Slug,
  title: Type.String()
}, {
  $id: 'CorrectedArticle',
  additionalProperties: false,
  description: 'The article a correction is of: enough to link to it',
  examples: [correctionExamples.logEntry.article]
})

export const CorrectionLogEntry = Type.Object({ ...correctionProperties, article: ref(CorrectedArticle) }, {
  $id: 'CorrectionLogEntry',
  additionalProperties: false,
  description: 'A correction in the site-wide log, with the article it is of',
  examples: [correctionExamples.logEntry]
})
export type CorrectionLogEntryBody = Static<typeof CorrectionLogEntry>

export const CorrectionList = Type.Object({
  data: Type.Array(ref(Correction)),
  meta: ref(ListMeta)
}, { $id: 'CorrectionList', additionalProperties: false, description: 'An article\'s corrections, oldest first: all of them (at most 50), on one page', examples: [correctionExamples.list] })

export const CorrectionLog = Type.Object({
  data: Type.Array(ref(CorrectionLogEntry)),
  meta: ref(ListMeta)
}, { $id: 'CorrectionLog', additionalProperties: false, description: 'A page of the site-wide corrections log, newest first', examples: [correctionExamples.log] })

const correctedAtInput = Type.String({ format: 'date-time', maxLength: 40, description: 'When it was corrected; now by default, and never in the future' })

export const NewCorrection = Type.Object({
  note,
  correctedAt: Type.Optional(correctedAtInput)
}, {
  $id: 'NewCorrection',
  additionalProperties: false,
  examples: [correctionExamples.new]
})
export type NewCorrectionBody = Static<typeof NewCorrection>

export const CorrectionPatch = Type.Object({
  note: Type.Optional(note),
  correctedAt: Type.Optional(correctedAtInput)
}, {
  $id: 'CorrectionPatch',
  additionalProperties: false,
  minProperties: 1,
  description: 'Fixing a note (a typo) or its time; the article\'s `updatedAt` is left as it is',
  examples: [{ note: correctionExamples.correction.note }]
})
export type CorrectionPatchBody = Static<typeof CorrectionPatch>

export const CorrectionParams = Type.Object({
  id: idOrSlugParam([demoExample.article.id, demoExample.article.slug]),
  correctionId: idParam('The correction\'s id', correctionExamples.correction.id)
}, { additionalProperties: false })

export const CorrectionLogQuery = Type.Object({
  ...pageQuery
}, { additionalProperties: false })
export type CorrectionLogQueryString = Static<typeof CorrectionLogQuery>

export const correctionSchemas = [ArticleCorrection, Correction, CorrectedArticle, CorrectionLogEntry, CorrectionList, CorrectionLog, NewCorrection, CorrectionPatch]
