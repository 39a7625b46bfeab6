import createClient, { type Client, type FetchResponse, type MaybeOptionalInit } from 'openapi-fetch'
import type { HttpMethod, MediaType, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers'
import { problemFrom } from './problem.js'
import type { components, operations, paths } from './schema.js'
import { Transport, type TransportOptions } from './transport.js'

type Schemas = components['schemas']
export type Article = Schemas['Article']
export type ArticleSummary = Schemas['ArticleSummary']
export type Author = Schemas['Author']
export type Comment = Schemas['Comment']
export type CommentThread = Schemas['CommentThread']
export type Day = Schemas['Day']
export type FeaturedImage = Schemas['FeaturedImage']
export type Label = Schemas['Label']
export type ListMeta = Schemas['ListMeta']

export interface DatelineClientOptions extends TransportOptions {
  /** Where the API is, e.g. `http://127.0.0.1:3000` (no `/v1`). */
  baseUrl: string
  /** A bearer token (`dl_…`), for writes and drafts; readers need none. A preview link's (`dlp_…`) reads its one article. */
  token?: string
}

// --- Types read off the generated document ----------------------------------------

type Operation<P, M extends HttpMethod> = P extends keyof paths ? (M extends keyof paths[P] ? paths[P][M] : never) : never
type Json200<Op> = Op extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never
type GetPath = PathsWithMethod<paths, 'get'>
type ParametersOf<Op> = Op extends { parameters: infer Parameters } ? Parameters : never
type QueryOf<Op> = NonNullable<ParametersOf<Op> extends { query?: infer Query } ? Query : never>
type PathParamsOf<Op> = ParametersOf<Op> extends { path: infer Path } ? Path : never

/** The GET paths that answer a page: `{ data: [...], meta: { nextCursor } }`. */
export type ListPath = { [P in GetPath]: Json200<Operation<P, 'get'>> extends { data: unknown[], meta: { nextCursor: string | null } } ? P : never }[GetPath]
/** What one page of `P` holds. */
export type ItemOf<P extends ListPath> = Json200<Operation<P, 'get'>> extends { data: Array<infer Item> } ? Item : never
/** The parameters of a list, less the position, which `paginate` keeps. */
export type PageParams<P extends ListPath> = { query?: Omit<QueryOf<Operation<P, 'get'>>, 'cursor' | 'offset'> } &
  (PathParamsOf<Operation<P, 'get'>> extends never ? { path?: never } : { path: PathParamsOf<Operation<P, 'get'>> })

type InitArgs<Init> = RequiredKeysOf<Init> extends never ? [(Init & { [key: string]: unknown })?] : [Init & { [key: string]: unknown }]
type DataOf<P extends keyof paths, M extends HttpMethod, Init> = NonNullable<FetchResponse<paths[P][M] & Record<string | number, any>, Init, MediaType>['data']>
/** openapi-fetch's typed call, answering the data itself and throwing `DatelineProblem` on an error. */
type DataMethod<M extends HttpMethod> = <P extends PathsWithMethod<paths, M>, Init extends MaybeOptionalInit<paths[P], M>>(
  url: P, ...init: InitArgs<Init>
) => Promise<DataOf<P, M, Init>>

// --- Shapes that a parameter changes -----------------------------------------------

/** Fields `fields=` may name for an article. */
export type ArticleField = keyof Omit<Article, 'author' | 'comments' | 'snippet'>
export type ArticleEmbed = 'author' | 'comments'

/** An article as `fields` and `include` shape it: only the named fields (and id), and what was embedded, present. */
export type ShapedArticle<Base, F extends readonly ArticleField[] | undefined, I extends readonly ArticleEmbed[] | undefined> =
  (F extends readonly ArticleField[] ? Pick<Base, Extract<F[number] | 'id', keyof Base>> : Omit<Base, 'author' | 'comments'>) &
  (I extends readonly ArticleEmbed[]
    ? ('author' extends I[number] ? { author: Author } : unknown) & ('comments' extends I[number] ? { comments: Comment[] } : unknown)
    : unknown) &
  (Base extends { snippet?: string } ? { snippet?: string } : unknown)

export interface ArticleQuery<F extends readonly ArticleField[] | undefined, I extends readonly ArticleEmbed[] | undefined>
  extends Omit<QueryOf<operations['listArticles']>, 'fields' | 'include'> {
  fields?: F
  include?: I
}

/** A day with its published articles, each with its author (a day's page, or `include=articles`). */
export type DayWithArticles = Omit<Day, 'articles'> & { articles: Array<Omit<ArticleSummary, 'author'> & { author: Author }> }

export interface Page<Item> {
  data: Item[]
  meta: ListMeta
}

function shapeQuery (query: { fields?: readonly string[] | undefined, include?: readonly string[] | undefined }): { fields?: string, include?: string } {
  const { fields, include, ...rest } = query
  return {
    ...rest,
    ...(fields === undefined ? {} : { fields: fields.join(',') }),
    ...(include === undefined ? {} : { include: include.join(',') })
  }
}

/**
 * The Dateline API, typed from its OpenAPI document.
 *
 * - `GET`, `POST`, `PATCH`, `DELETE`: every operation, by path, answering its data and
 *   throwing `DatelineProblem` otherwise; `api` is the bare openapi-fetch client.
 * - `paginate(path, params)`: every item of a list, page after page, by `meta.nextCursor`.
 * - `articles`, `dates`, `comments`, …: the calls a front end makes most, by name.
 */
export class DatelineClient {
  readonly api: Client<paths>
  readonly transport: Transport
  readonly GET: DataMethod<'get'>
  readonly POST: DataMethod<'post'>
  readonly PATCH: DataMethod<'patch'>
  readonly DELETE: DataMethod<'delete'>

  constructor (options: DatelineClientOptions) {
    this.transport = new Transport(options)
    this.api = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      fetch: this.transport.fetch,
      ...(options.token === undefined ? {} : { headers: { authorization: `Bearer ${options.token}` } })
    })
    const loose = this.api as unknown as Record<'GET' | 'POST' | 'PATCH' | 'DELETE', (url: string, init?: unknown) => Promise<FetchResult>>
    this.GET = ((url: string, init?: unknown) => dataOf(loose.GET(url, init))) as DataMethod<'get'>
    this.POST = ((url: string, init?: unknown) => dataOf(loose.POST(url, init))) as DataMethod<'post'>
    this.PATCH = ((url: string, init?: unknown) => dataOf(loose.PATCH(url, init))) as DataMethod<'patch'>
    this.DELETE = ((url: string, init?: unknown) => dataOf(loose.DELETE(url, init))) as DataMethod<'delete'>
  }

  /** Every item of a list, fetching the next page (by `meta.nextCursor`) as the loop needs it. */
  async * paginate<P extends ListPath> (path: P, params?: PageParams<P>): AsyncGenerator<ItemOf<P>, void, undefined> {
    let cursor: string | undefined
    do {
      const query = { ...params?.query, ...(cursor === undefined ? {} : { cursor }) }
      const page = await (this.GET as unknown as (url: string, init: unknown) => Promise<Page<ItemOf<P>>>)(path, { params: { query, path: params?.path } })
      yield * page.data
      cursor = page.meta.nextCursor ?? undefined
    } while (cursor !== undefined)
  }

  readonly articles = {
    list: <const F extends readonly ArticleField[] | undefined = undefined, const I extends readonly ArticleEmbed[] | undefined = undefined>(query: ArticleQuery<F, I> = {}) =>
      this.GET('/v1/articles', { params: { query: shapeQuery(query) } }) as Promise<Page<ShapedArticle<Article, F, I>>>,
    /** Every matching article, page after page. */
    all: <const F extends readonly ArticleField[] | undefined = undefined, const I extends readonly ArticleEmbed[] | undefined = undefined>(query: ArticleQuery<F, I> = {}) =>
      this.paginate('/v1/articles', { query: shapeQuery(query) }) as AsyncGenerator<ShapedArticle<Article, F, I>, void, undefined>,
    /** Full-text search: each hit has a `snippet` with the matched words in `<mark>` (sanitised by the API). */
    search: (q: string, query: Omit<QueryOf<operations['listArticles']>, 'q' | 'fields' | 'include'> = {}) =>
      this.GET('/v1/articles', { params: { query: { ...query, q } } }) as Promise<Page<Article & { snippet: string }>>,
    get: <const F extends readonly ArticleField[] | undefined = undefined, const I extends readonly ArticleEmbed[] | undefined = undefined>(id: number | string, query: { fields?: F, include?: I } = {}) =>
      this.GET('/v1/articles/{id}', { params: { path: { id }, query: shapeQuery(query) } }) as Promise<ShapedArticle<Article, F, I>>,
    create: (article: Schemas['NewArticle']) => this.POST('/v1/articles', { body: article }),
    update: (id: number | string, patch: Schemas['ArticlePatch'], ifMatch?: string) =>
      this.PATCH('/v1/articles/{id}', { params: { path: { id }, header: ifMatch === undefined ? {} : { 'if-match': ifMatch } }, body: patch }),
    remove: (id: number | string) => this.DELETE('/v1/articles/{id}', { params: { path: { id } } }),
    /** A preview link: its `token`, given as a client's `token`, reads this article with `get` whatever its status (shown once). */
    preview: (id: number | string, link: Schemas['NewPreview'] = {}) => this.POST('/v1/articles/{id}/preview', { params: { path: { id } }, body: link }),
    related: (id: number | string) => this.GET('/v1/articles/{id}/related', { params: { path: { id } } }),
    /** Approved comments, oldest first, flat. */
    comments: (id: number | string, query: Omit<QueryOf<operations['listArticleComments']>, 'thread'> = {}) =>
      this.GET('/v1/articles/{id}/comments', { params: { path: { id }, query } }) as Promise<Page<Comment>>,
    /** Approved comments, oldest first, replies nested under their parents. */
    commentThread: (id: number | string, query: QueryOf<operations['listArticleCommentThread']> = {}) =>
      this.GET('/v1/articles/{id}/comments/thread', { params: { path: { id }, query } }) as Promise<Page<CommentThread>>,
    /** A reader's comment: `pending` until moderated unless the site approves comments automatically. */
    comment: (id: number | string, comment: Schemas['NewComment'], idempotencyKey?: string) =>
      this.POST('/v1/articles/{id}/comments', { params: { path: { id }, ...(idempotencyKey === undefined ? {} : { header: { 'idempotency-key': idempotencyKey } }) }, body: comment }),
    /** Its public corrections, oldest first (every article read carries them too, as `corrections`). */
    corrections: (id: number | string) => this.GET('/v1/articles/{id}/corrections', { params: { path: { id } } }),
    /** A public, timestamped correction (an editor's token; an author's on its own drafts). */
    correct: (id: number | string, correction: Schemas['NewCorrection']) => this.POST('/v1/articles/{id}/corrections', { params: { path: { id } }, body: correction })
  }

  readonly corrections = {
    /** Every correction the caller may see, newest first, each with its article's id, slug and title. */
    list: (query: QueryOf<operations['listCorrections']> = {}) => this.GET('/v1/corrections', { params: { query } })
  }

  readonly dates = {
    /** Days, newest first; `include: ['articles']` brings each day's articles with their authors, for a front page in one request. */
    list: <const I extends readonly 'articles'[] | undefined = undefined>(query: Omit<QueryOf<operations['listDates']>, 'include'> & { include?: I } = {}) =>
      this.GET('/v1/dates', { params: { query: shapeQuery(query) } }) as Promise<Page<I extends readonly 'articles'[] ? DayWithArticles : Omit<Day, 'articles'>>>,
    get: (date: string) => this.GET('/v1/dates/{date}', { params: { path: { date } } }) as Promise<DayWithArticles>,
    archive: () => this.GET('/v1/archive')
  }

  readonly authors = {
    list: (query: QueryOf<operations['listAuthors']> = {}) => this.GET('/v1/authors', { params: { query } }),
    get: (id: number | string) => this.GET('/v1/authors/{id}', { params: { path: { id } } })
  }

  readonly labels = {
    list: (query: QueryOf<operations['listLabels']> = {}) => this.GET('/v1/labels', { params: { query } })
  }

  readonly comments = {
    list: (query: QueryOf<operations['listComments']> = {}) => this.GET('/v1/comments', { params: { query } }),
    get: (id: number) => this.GET('/v1/comments/{id}', { params: { path: { id } } }),
    /** Moderation: `{ status: 'approved' }` publishes a comment (an editor's token). */
    update: (id: number, patch: Schemas['CommentPatch']) => this.PATCH('/v1/comments/{id}', { params: { path: { id } }, body: patch }),
    remove: (id: number) => this.DELETE('/v1/comments/{id}', { params: { path: { id } } })
  }
}

interface FetchResult {
  data?: unknown
  error?: unknown
  response: Response
}

async function dataOf (call: Promise<FetchResult>): Promise<any> {
  const { data, error, response } = await call
  if (!response.ok) throw problemFrom(response, error)
  return data
}

export function createDatelineClient (options: DatelineClientOptions): DatelineClient {
  return new DatelineClient(options)
}
