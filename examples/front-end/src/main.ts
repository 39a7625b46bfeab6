import { createDatelineClient, DatelineProblem, type Author, type CommentThread, type FeaturedImage } from '@dateline/client'
import { commentCountText, h, sanitisedHtml, timeText } from './dom.ts'
import { leadImage } from './images.ts'

const apiBase: string = import.meta.env.VITE_DATELINE_API ?? 'http://127.0.0.1:3000'
const client = createDatelineClient({ baseUrl: apiBase })
const page = document.getElementById('page')!

/** What a list of articles shows of each: enough for the blog's front page. */
interface Teaser {
  slug: string
  title: string
  excerpt: string
  publishedAt: string | null
  labels: string[]
  commentCount: number
  featuredImage: FeaturedImage | null
  author?: Author
  snippet?: string
}

function authorLink (author: Author | undefined): Node | string {
  if (author === undefined) return 'the newsroom'
  return author.url === null ? author.name : h('a', { href: author.url, rel: 'author' }, author.name)
}

function labelLinks (labels: string[]): HTMLElement | null {
  if (labels.length === 0) return null
  return h('span', { class: 'labels' }, 'Labels: ', labels.map((label) => h('a', { href: `#/labels/${encodeURIComponent(label)}` }, label)))
}

// The column is 46rem at most: a teaser's image never shows wider.
const teaserSizes = '(max-width: 46rem) 100vw, 46rem'

function teaser (article: Teaser): HTMLElement {
  const link = `#/articles/${encodeURIComponent(article.slug)}`
  return h('article', { class: 'post' },
    article.featuredImage === null ? null : h('a', { href: link, class: 'lead-image-link' }, leadImage(article.featuredImage, apiBase, teaserSizes)),
    h('h3', {}, h('a', { href: link }, article.title)),
    h('div', { class: 'byline' }, 'Posted by ', authorLink(article.author), ' · ', timeText(article.publishedAt)),
    // A search hit shows where the words matched, in <mark>; otherwise the excerpt.
    article.snippet === undefined ? h('p', { class: 'excerpt' }, article.excerpt) : h('p', { class: 'snippet' }, sanitisedHtml(article.snippet)),
    h('p', {}, h('a', { href: link, class: 'read-more' }, 'Read more »')),
    h('div', { class: 'post-footer' },
      h('a', { href: `${link}/comments`, class: 'comment-count' }, commentCountText(article.commentCount)),
      ' ', labelLinks(article.labels))
  )
}

function olderLink (route: string, cursor: string | null): HTMLElement | null {
  if (cursor === null) return null
  return h('p', { class: 'pager' }, h('a', { href: `#${route}?cursor=${encodeURIComponent(cursor)}` }, 'Older posts »'))
}

/** The front page: one header a day, that day's articles under it (one request: include=articles). */
async function frontPage (cursor: string | undefined): Promise<Node[]> {
  const days = await client.dates.list({ include: ['articles'], limit: 5, ...(cursor === undefined ? {} : { cursor }) })
  if (days.data.length === 0) return [h('p', {}, 'Nothing has been published yet.')]
  return [
    ...days.data.map((day) => h('section', { class: 'day' }, h('h2', { class: 'day-header' }, day.label), day.articles.map(teaser))),
    ...[olderLink('/', days.meta.nextCursor)].filter((node) => node !== null)
  ]
}

async function dayPage (date: string): Promise<Node[]> {
  const day = await client.dates.get(date)
  return [h('h2', { class: 'day-header' }, day.label), day.note === null ? null : h('p', { class: 'note' }, day.note), ...day.articles.map(teaser)].filter((node) => node !== null)
}

async function labelPage (label: string, cursor: string | undefined): Promise<Node[]> {
  const articles = await client.articles.list({ label: [label], include: ['author'], limit: 10, ...(cursor === undefined ? {} : { cursor }) })
  return [h('h2', {}, `Articles labelled “${label}”`), ...articles.data.map(teaser), olderLink(`/labels/${encodeURIComponent(label)}`, articles.meta.nextCursor)].filter((node) => node !== null)
}

async function searchPage (q: string): Promise<Node[]> {
  if (q.trim() === '') return [h('p', {}, 'Type a few words to search the blog.')]
  const hits = await client.articles.list({ q, include: ['author'], limit: 20 })
  const heading = h('h2', {}, `${hits.meta.total} ${hits.meta.total === 1 ? 'result' : 'results'} for “${q}”`)
  return [heading, ...hits.data.map(teaser)]
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** The Blogger-style archive: years, their months, with counts. */
async function archivePage (): Promise<Node[]> {
  const archive = await client.dates.archive()
  const years = archive.years.map((year) => h('li', {}, `${year.year} (${year.count})`,
    h('ul', {}, year.months.map((month) => h('li', {}, h('a', { href: `#/archive/${year.year}/${month.month}` }, `${monthNames[month.month - 1]} (${month.count})`))))))
  return [h('h2', {}, 'Blog archive'), h('ul', { class: 'archive' }, years)]
}

async function monthPage (year: number, month: number): Promise<Node[]> {
  const days = await client.dates.list({ year, month, include: ['articles'], limit: 31 })
  return [
    h('h2', {}, `${monthNames[month - 1]} ${year}`),
    ...days.data.map((day) => h('section', { class: 'day' }, h('h2', { class: 'day-header' }, h('a', { href: `#/dates/${day.date}` }, day.label)), day.articles.map(teaser)))
  ]
}

function commentTree (comments: CommentThread[], replyTo: (comment: CommentThread) => void): HTMLElement {
  return h('ul', {}, comments.map((comment) => {
    const reply = h('button', { type: 'button', class: 'reply' }, 'Reply')
    reply.addEventListener('click', () => { replyTo(comment) })
    return h('li', { class: 'comment', id: `comment-${comment.id}` },
      h('div', { class: 'comment-meta' }, comment.authorUrl === null ? h('strong', {}, comment.authorName) : h('a', { href: comment.authorUrl, rel: 'nofollow ugc' }, comment.authorName), ' · ', timeText(comment.createdAt), ' ', reply),
      h('div', { class: 'comment-body' }, sanitisedHtml(comment.body)),
      comment.replies.length > 0 ? commentTree(comment.replies, replyTo) : null)
  }))
}

function problemNotice (error: unknown): HTMLElement {
  if (!(error instanceof DatelineProblem)) return h('p', { class: 'problem' }, `The blog could not be reached at ${apiBase}: ${String(error)}`)
  return h('div', { class: 'problem' }, h('p', {}, error.detail ?? error.title), error.errors.length === 0 ? null : h('ul', {}, error.errors.map((fieldError) => h('li', {}, `${fieldError.path}: ${fieldError.message}`))))
}

function field (label: string, control: HTMLElement): HTMLElement {
  return h('label', {}, label, h('br'), control)
}

/** The comment form: honeypot and start time let the API tell bots from readers. */
function commentForm (articleId: number, onPosted: (message: string) => Promise<void>): { form: HTMLElement, replyTo: (comment: CommentThread) => void } {
  const startedAt = new Date().toISOString()
  let parentId: number | null = null
  const replying = h('p', { class: 'replying', hidden: '' })
  const status = h('div', { class: 'form-status' })
  const form = h('form', { class: 'comment-form' },
    h('h4', {}, 'Post a comment'),
    replying,
    field('Name', h('input', { name: 'authorName', required: '', maxlength: '100', autocomplete: 'name' })),
    field('Website (optional)', h('input', { name: 'authorUrl', type: 'url', autocomplete: 'url' })),
    field('Comment', h('textarea', { name: 'body', required: '', rows: '5' })),
    h('input', { name: 'website', class: 'honeypot', tabindex: '-1', autocomplete: 'off', 'aria-hidden': 'true' }),
    h('button', { type: 'submit' }, 'Publish'),
    status) as HTMLFormElement
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(form)
    const text = (name: string) => String(data.get(name) ?? '').trim()
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement
    button.disabled = true
    status.replaceChildren()
    client.articles.comment(articleId, {
      authorName: text('authorName'),
      body: text('body'),
      authorUrl: text('authorUrl') === '' ? null : text('authorUrl'),
      website: String(data.get('website') ?? ''),
      formStartedAt: startedAt,
      parentId
    }).then(async (comment) => {
      form.reset()
      parentId = null
      replying.hidden = true
      await onPosted(comment.status === 'approved' ? 'Your comment is published.' : 'Thank you! Your comment will appear once a moderator has approved it.')
    }, (error: unknown) => {
      status.replaceChildren(problemNotice(error))
    }).finally(() => { button.disabled = false })
  })
  const replyTo = (comment: CommentThread): void => {
    parentId = comment.id
    replying.textContent = `Replying to ${comment.authorName}`
    replying.hidden = false
    form.scrollIntoView()
  }
  return { form, replyTo }
}

function countAll (comments: CommentThread[]): number {
  return comments.reduce((sum, comment) => sum + 1 + countAll(comment.replies), 0)
}

async function commentsSection (articleId: number): Promise<HTMLElement> {
  const section = h('section', { class: 'comments', id: 'comments' })
  const render = async (message?: string): Promise<void> => {
    const thread = await client.articles.commentThread(articleId, { limit: 100 })
    const { form, replyTo } = commentForm(articleId, render)
    section.replaceChildren(h('h3', {}, `${commentCountText(countAll(thread.data))}:`))
    if (thread.data.length > 0) section.append(commentTree(thread.data, replyTo))
    if (message !== undefined) section.append(h('p', { class: 'notice' }, message))
    section.append(form)
  }
  await render()
  return section
}

/** `2026-06-24` as the day headers write it: "Wednesday, June 24, 2026". */
function dayLabel (date: string | null): string {
  if (date === null) return ''
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })
}

async function articlePage (slug: string): Promise<Node[]> {
  const article = await client.articles.get(slug, { include: ['author'] })
  document.title = `${article.title} · Dateline`
  return [
    h('h2', { class: 'day-header' }, dayLabel(article.date)),
    h('article', { class: 'post full' },
      h('h2', { class: 'title' }, article.title),
      h('div', { class: 'byline' }, 'Posted by ', authorLink(article.author), ' · ', timeText(article.publishedAt)),
      article.featuredImage === null ? null : leadImage(article.featuredImage, apiBase, teaserSizes),
      h('div', { class: 'post-body' }, sanitisedHtml(article.body)),
      h('div', { class: 'post-footer' }, labelLinks(article.labels))),
    await commentsSection(article.id)
  ]
}

/** `#/path?query`: the page to show. */
async function route (hash: string): Promise<Node[]> {
  const [path = '/', search = ''] = hash.replace(/^#/, '').split('?')
  const query = new URLSearchParams(search)
  const cursor = query.get('cursor') ?? undefined
  const parts = path.split('/').filter((part) => part !== '').map(decodeURIComponent)
  document.title = 'Dateline'
  switch (parts[0]) {
    case undefined: return await frontPage(cursor)
    case 'articles': return await articlePage(parts[1] ?? '')
    case 'dates': return await dayPage(parts[1] ?? '')
    case 'labels': return await labelPage(parts[1] ?? '', cursor)
    case 'search': return await searchPage(query.get('q') ?? '')
    case 'archive': return parts.length === 3 ? await monthPage(Number(parts[1]), Number(parts[2])) : await archivePage()
    default: return [h('p', {}, 'There is no such page.')]
  }
}

let shown = 0
async function show (): Promise<void> {
  const mine = ++shown
  page.setAttribute('aria-busy', 'true')
  const nodes = await route(window.location.hash).catch((error: unknown) => [problemNotice(error)])
  // A later navigation wins over a slower earlier one.
  if (mine !== shown) return
  page.replaceChildren(...nodes)
  page.removeAttribute('aria-busy')
  if (window.location.hash.endsWith('/comments')) document.getElementById('comments')?.scrollIntoView()
}

const searchForm = document.querySelector('form.search') as HTMLFormElement
searchForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const q = String(new FormData(searchForm).get('q') ?? '')
  window.location.hash = `#/search?q=${encodeURIComponent(q)}`
})
window.addEventListener('hashchange', () => { void show() })
void show()
