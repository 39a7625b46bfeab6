// Plain JSON Schemas of the article, author and list shapes the API answers with, for the
// baseline servers' response serialisers (fast-json-stringify, as Fastify uses for Dateline).

const nullableString = { type: ['string', 'null'] }

export const authorSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    slug: { type: 'string' },
    name: { type: 'string' },
    bio: nullableString,
    avatarUrl: nullableString,
    url: nullableString,
    articleCount: { type: 'integer' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' }
  }
}

export const articleSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    slug: { type: 'string' },
    title: { type: 'string' },
    excerpt: { type: 'string' },
    body: { type: 'string' },
    status: { type: 'string' },
    publishedAt: nullableString,
    date: nullableString,
    authorId: { type: 'integer' },
    labels: { type: 'array', items: { type: 'string' } },
    commentCount: { type: 'integer' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    author: authorSchema
  }
}

export const articleListSchema = {
  type: 'object',
  properties: {
    data: { type: 'array', items: articleSchema },
    meta: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        limit: { type: 'integer' },
        offset: { type: 'integer' },
        nextCursor: nullableString
      }
    }
  }
}

/** A day's page: its published articles (without bodies), newest first, each with its author. */
export const daySchema = {
  type: 'object',
  properties: {
    date: { type: 'string' },
    label: { type: 'string' },
    note: nullableString,
    articleCount: { type: 'integer' },
    articles: { type: 'array', items: articleSchema }
  }
}
