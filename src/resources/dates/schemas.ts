import { dayExample, dayListExample } from '../../demo/examples.js'
import { CalendarDay, CalendarDayFilter, ListMeta, pageQuery, ref, Type, type Static, plainTextPattern } from '../../schemas.js'
import type { ArticleSummaryBody } from '../articles/schemas.js'

const note = Type.String({ maxLength: 5000, pattern: plainTextPattern, description: 'An editor\'s note for the day', examples: ['Flood warnings all along the Vell today.'] })

export const Day = Type.Object({
  date: CalendarDay,
  label: Type.String({ description: 'The day written out in the site locale', examples: ['Thursday, June 25, 2026'] }),
  note: Type.Union([note, Type.Null()]),
  articleCount: Type.Integer({ minimum: 0, description: 'Published articles on the day' }),
  articles: Type.Optional(Type.Array(Type.Unsafe<ArticleSummaryBody>({ $ref: 'ArticleSummary' }), {
    description: 'The day\'s published articles, newest first, each with its author (on a day\'s page, or with `include=articles`)'
  }))
}, {
  $id: 'Day',
  additionalProperties: false,
  description: 'One calendar day of the blog, in the site time zone',
  examples: [dayExample]
})
export type DayBody = Static<typeof Day>

export const DayList = Type.Object({
  data: Type.Array(ref(Day)),
  meta: ref(ListMeta)
}, { $id: 'DayList', additionalProperties: false, examples: [dayListExample] })

export const NewDay = Type.Object({
  date: CalendarDay,
  note: Type.Optional(Type.Union([note, Type.Null()]))
}, { $id: 'NewDay', additionalProperties: false, examples: [{ date: '2026-06-25', note: 'Flood warnings all along the Vell today.' }] })
export type NewDayBody = Static<typeof NewDay>

export const DayPatch = Type.Object({
  note: Type.Union([note, Type.Null()])
}, { $id: 'DayPatch', additionalProperties: false, examples: [{ note: 'Updated: the warnings were lifted at 6 p.m.' }] })
export type DayPatchBody = Static<typeof DayPatch>

export const DayParams = Type.Object({ date: CalendarDay }, { additionalProperties: false })

export const dayIncludes = ['articles'] as const

export const DayListQuery = Type.Object({
  ...pageQuery,
  sort: Type.Optional(Type.Union([Type.Literal('date'), Type.Literal('-date')], { description: 'Default `-date` (newest first)' })),
  year: Type.Optional(Type.Integer({ minimum: 1, maximum: 9999 })),
  month: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'Needs `year`' })),
  from: Type.Optional(CalendarDayFilter),
  to: Type.Optional(CalendarDayFilter),
  include: Type.Optional(Type.String({ maxLength: 100, description: 'Embed `articles` (each with its author)' }))
}, { additionalProperties: false })
export type DayListQueryString = Static<typeof DayListQuery>

export const ArchiveMonth = Type.Object({
  month: Type.Integer({ minimum: 1, maximum: 12 }),
  count: Type.Integer({ minimum: 1 })
}, { additionalProperties: false })

export const Archive = Type.Object({
  years: Type.Array(Type.Object({
    year: Type.Integer(),
    count: Type.Integer({ minimum: 1 }),
    months: Type.Array(ArchiveMonth)
  }, { additionalProperties: false }))
}, {
  $id: 'Archive',
  additionalProperties: false,
  description: 'Published articles counted by year and month, newest first',
  examples: [{ years: [{ year: 2026, count: 12, months: [{ month: 6, count: 12 }] }] }]
})
export type ArchiveBody = Static<typeof Archive>


export const daySchemas = [Day, DayList, NewDay, DayPatch, Archive]
