import { readFileSync } from 'node:fs'
import t from 'tap'
import { article, authorsPrecedeTheirArticles, comment, countBy, fixture, inChunks, readFile, readRecords, sharedFixture, skipCounts } from '../fixtures/import/read-records.js'
import { categoriesIn } from './wxr-categories.js'

// The WordPress WXR reader (1.0, 1.1, 1.2) on the real 2025 WordPress.com export, the GPL
// Theme Unit Test data (read from ../shared, never copied) and our own edge-case files.

t.test('the 2025 WordPress.com export gives its 7 posts, its page and 6 image attachments, and skips the style items', async (t) => {
  const read = await readFile(fixture('wxr-wordpress-com-2025.xml'))
  t.equal(read.format, 'wxr')
  t.equal(read.articles.length, 7)
  t.equal(read.comments.length, 0)
  t.equal(read.media.length, 6)
  t.same(skipCounts(read.skips), { 'other: post type wp_global_styles': 1, 'other: post type wp_navigation': 1 })
  t.equal(read.records.filter((record) => record.kind === 'page').length, 1, 'its page is a page')
  t.same(countBy(read.articles, (a) => a.status), { published: 7 })
  t.same(read.authors.map((a) => [a.source.site, a.source.id, a.name, a.slug]), [['https://jekyllbot.wordpress.com', 'jekyllbot', 'jekyllbot', 'jekyllbot']])
  t.same(read.settings.map((s) => [s.name, s.value]), [['title', 'My Site Title'], ['locale', 'en'], ['url', 'https://jekyllbot.wordpress.com']])
  const post = article(read, '14')
  t.same([post.title, post.slug, post.publishedAt, post.updatedAt], ['Blog Post 1', 'blog-post-1', '2025-01-19T02:39:44.000Z', '2025-01-19T02:39:44.000Z'], 'post_date_gmt, not the local post_date (18:39 -08:00)')
  t.same(post.labels, ['code', 'Foo', 'ruby', 'ship', 'stars'])
  t.equal(post.sourceUrl, 'https://jekyllbot.wordpress.com/2025/01/18/blog-post-1/')
  t.match(post.body, /^<!-- wp:paragraph -->\n<p>This is a blog post\.<\/p>/, 'Gutenberg content is kept as it is')
  t.equal(article(read, '4').source.site, 'https://jekyllbot.wordpress.com')
  t.ok(authorsPrecedeTheirArticles(read.records))
})

t.test('the 2025 export\'s attachments are media records, and _thumbnail_id names three posts\' featured images', async (t) => {
  const read = await readFile(fixture('wxr-wordpress-com-2025.xml'))
  t.same(['4', '5', '6'].map((id) => article(read, id).featuredMediaSourceId), ['10', '11', '12'])
  t.notOk('featuredMediaSourceId' in article(read, '14'), 'a post without _thumbnail_id has no such field, so its digest is what it was')
  const first = read.media.find((media) => media.source.id === '10')
  t.same(first, {
    kind: 'media',
    source: { site: 'https://jekyllbot.wordpress.com', id: '10' },
    url: 'https://jekyllbot.wordpress.com/wp-content/uploads/2025/01/0565b-tt4_post_1.jpg',
    fileName: '0565b-tt4_post_1.jpg',
    alt: '',
    caption: '',
    authorSourceId: 'jekyllbot'
  }, 'the address with its indentation trimmed, the file name from its last segment')
  t.same(read.media.map((media) => media.source.id), ['10', '11', '12', '17', '18', '19'])
})

t.test('the Theme Unit Test data gives 58 posts and 24 comments, with its 9-level thread', async (t) => {
  const read = await readFile(sharedFixture('wxr-theme-unit-test-data.xml'))
  t.equal(read.format, 'wxr')
  t.equal(read.articles.length, 58)
  t.equal(read.comments.length, 24)
  t.equal(read.authors.length, 2)
  t.equal(read.media.length, 35, '37 attachments, of which a video and a sound are not images')
  t.equal(read.records.filter((record) => record.kind === 'page').length, 21, 'its 21 pages are pages')
  t.same(skipCounts(read.skips), {
    'media: not an image the library takes (.mov)': 1,
    'media: not an image the library takes (.mp3)': 1,
    'other: post type nav_menu_item': 70,
    'comment: pingback/trackback': 4,
    'comment: its article was skipped (page)': 5
  })
  t.same(countBy(read.articles, (a) => a.status), { published: 55, scheduled: 1, draft: 2 })
  t.same(countBy(read.comments, (c) => c.status), { approved: 23, pending: 1 })
  const thread = ['904', '905', '906', '907', '910', '911', '912', '913', '914', '915']
  t.same(thread.map((id) => comment(read, id).parentSourceId), [null, ...thread.slice(0, -1)], 'ten comments, each replying to the one before')
  t.same(countBy(read.articles, (a) => String(a.authorSourceId)), { themereviewteam: 18, themedemos: 39, null: 1 })
  t.same(article(read, '1730').notes, ['author ">themereviewteam" is not in the file\'s author list: imported under the default author'])
})

t.test('the Theme Unit Test attachments keep their alt text and caption, and six posts name a featured image', async (t) => {
  const read = await readFile(sharedFixture('wxr-theme-unit-test-data.xml'))
  const bell = read.media.find((media) => media.source.id === '754')
  t.same([bell?.url, bell?.alt, bell?.caption, bell?.authorSourceId], ['https://wpthemetestdata.files.wordpress.com/2008/06/100_5478.jpg', 'Bell on Wharf', 'Bell on wharf in San Francisco', 'themedemos'])
  t.same(read.media.filter((media) => media.alt !== '').length, 28, 'the 28 attachments with _wp_attachment_image_alt')
  t.ok(read.media.some((media) => media.fileName === 'spectacles.gif'), 'a GIF is an image')
  const featured = read.articles.filter((post) => post.featuredMediaSourceId !== undefined).map((post) => [post.source.id, post.featuredMediaSourceId])
  t.same(featured, [['51', '761'], ['1011', '1022'], ['1016', '1027'], ['1163', '1628'], ['1177', '1023'], ['1752', '771']])
})

t.test('the Theme Unit Test edge cases: empty title and body, markup and references in titles, scheduled, password, draft', async (t) => {
  const read = await readFile(sharedFixture('wxr-theme-unit-test-data.xml'))
  t.same([article(read, '1169').title, article(read, '1169').slug], ['', 'edge-case-no-title'])
  t.equal(article(read, '1170').body, '')
  t.equal(article(read, '1173').title, 'Markup: Title With Markup')
  t.equal(article(read, '1174').title, 'Markup: Title With Special Characters ~`!@#$%^&*()-_=+{}[]/\\;:\'"?,.>')
  t.same([article(read, '1153').status, article(read, '1153').publishedAt], ['scheduled', '2030-01-01T19:00:18.000Z'])
  t.same([article(read, '1168').status, article(read, '1168').notes], ['draft', ['password-protected in source: imported as a draft']])
  t.same([article(read, '1164').status, article(read, '1164').slug, article(read, '1164').publishedAt], ['draft', null, null])
  t.same(article(read, '1241').notes, ['sticky in source'])
  t.same(article(read, '555').notes, ['shortcodes kept as text: [gallery]'])
  t.equal(comment(read, '881').authorName, 'John Γιάννης Doe Κάποιος')
  t.match(article(read, '1148').body, /^<p>This post tests comments in the following ways\.<\/p>\n<ul>/, 'classic content gets its paragraphs')
})

t.test('comment records have no field for the commenter IP address', async (t) => {
  const read = await readFile(sharedFixture('wxr-theme-unit-test-data.xml'))
  const fields = new Set(read.comments.flatMap((c) => Object.keys(c)))
  t.same([...fields].sort(), ['articleSourceId', 'authorEmail', 'authorName', 'authorUrl', 'body', 'createdAt', 'kind', 'parentSourceId', 'source', 'status'])
})

t.test('our WXR 1.2 edge cases: counts, statuses and skip reasons', async (t) => {
  const read = await readFile(fixture('wxr-1.2-edge-cases.xml'))
  t.equal(read.format, 'wxr')
  t.equal(read.articles.length, 12)
  t.equal(read.comments.length, 13)
  t.equal(read.authors.length, 2)
  t.same(read.media.map((media) => [media.source.id, media.url, media.fileName, media.authorSourceId]), [['113', 'https://gazette.example/market.jpg', 'market.jpg', 'edith']], 'the one attachment, an image')
  t.same(skipCounts(read.skips), {
    'comment: pingback/trackback': 2,
    'other: post type nav_menu_item': 1,
    'comment: its article was skipped (page)': 1,
    'article: trashed': 1
  })
  t.same(countBy(read.articles, (a) => a.status), { published: 8, scheduled: 1, draft: 3 })
  t.same(countBy(read.comments, (c) => c.status), { approved: 10, spam: 1, rejected: 1, pending: 1 })
  t.same(read.settings.map((s) => [s.name, s.value]), [['title', 'Valley Gazette'], ['description', 'News from the valley & the hills'], ['locale', 'en-GB'], ['url', 'https://gazette.example']])
  t.same(read.authors.map((a) => [a.source.id, a.name, a.slug, a.email]), [['edith', 'Edith Editor', 'edith', 'edith@gazette.example'], ['ravi', 'Ravi Reporter', 'ravi', 'ravi@gazette.example']])
  t.ok(read.records.every((record) => !('source' in record) || record.source.site === 'https://gazette.example'), 'source ids are scoped by base_blog_url')
  t.ok(authorsPrecedeTheirArticles(read.records))
})

t.test('our WXR 1.2 edge cases: a 10-comment thread nine replies deep, spam, trash, and a zero GMT comment date', async (t) => {
  const read = await readFile(fixture('wxr-1.2-edge-cases.xml'))
  const thread = Array.from({ length: 10 }, (_, index) => String(1001 + index))
  t.same(thread.map((id) => comment(read, id).parentSourceId), [null, ...thread.slice(0, -1)])
  t.ok(thread.every((id) => comment(read, id).articleSourceId === '101'))
  const first = comment(read, '1001')
  t.same([first.authorName, first.authorEmail, first.authorUrl, first.createdAt], ['Anna «Reader»', 'anna@example.org', 'https://anna.example.org', '2024-05-06T09:00:00.000Z'], 'entities in the CDATA name decoded once')
  t.equal(first.body, '<p>Depth 1.<br />\nFinally!</p>', 'comment text gets paragraphs and line breaks')
  t.equal(comment(read, '1013').status, 'spam')
  t.equal(comment(read, '1014').status, 'rejected', 'trash')
  t.same([comment(read, '1015').status, comment(read, '1015').createdAt], ['pending', '2024-05-08T22:30:00.000Z'], 'a zero comment_date_gmt falls back to comment_date at the site offset (+01:00)')
  t.same(read.skips.filter((s) => s.resource === 'comment').map((s) => s.sourceId), ['1011', '1012', '1016'])
  const json = JSON.stringify(read.records)
  t.same(['192.0.2.15', '2001:db8::7', '198.51.100.23', '203.0.113.99', '203.0.113.100', '203.0.113.7', '198.51.100.200', '192.0.2.201'].filter((ip) => json.includes(ip)), [], 'no IP address anywhere')
})

t.test('our WXR 1.2 edge cases: titles, bodies, slugs and labels', async (t) => {
  const read = await readFile(fixture('wxr-1.2-edge-cases.xml'))
  const bridge = article(read, '101')
  t.equal(bridge.body, '<p>The old bridge reopened on Monday.</p>\n<p>Traffic was light.<br />\nWalkers came back first.</p>\n<blockquote>It feels like a new bridge.</blockquote>', 'autop on classic content')
  t.equal(bridge.excerpt, 'The old bridge is open again.')
  t.same(bridge.labels, ['Local News', 'Bridges'], 'category and post_tag only, once each; post_format ignored')
  t.same([bridge.publishedAt, bridge.updatedAt], ['2024-05-06T08:00:00.000Z', '2024-05-07T09:30:00.000Z'])
  t.same([article(read, '102').title, article(read, '102').slug], ['', null], 'an empty title; an all-digit post_name is no slug')
  t.equal(article(read, '103').body, '')
  t.equal(article(read, '104').title, 'Markup: Bold Plans2')
  t.equal(article(read, '104').body, '<!-- wp:paragraph -->\n<p>Block content keeps its own paragraphs.</p>\n<!-- /wp:paragraph -->')
  t.equal(article(read, '105').title, 'Council\'s “quiet” vote & what’s next')
  t.equal(article(read, '105').body, '<p>Fish & chips for the councillors; <i>&lt;i&gt;</i> stays text.</p>', 'CDATA is not decoded')
  t.same(article(read, '105').labels, ['Local News', 'Council & Politics'])
  t.same([article(read, '106').slug, article(read, '106').labels], ['γέφυρα', ['Γέφυρες']], 'a percent-encoded UTF-8 post_name decoded')
  t.equal(article(read, '112').body, '<p>Write a[b[0]]> in code.</p>', ']]]]><![CDATA[> joins back into ]]>')
})

t.test('our WXR 1.2 edge cases: scheduled, password, private and undated drafts, unknown author, sticky, shortcodes', async (t) => {
  const read = await readFile(fixture('wxr-1.2-edge-cases.xml'))
  t.same([article(read, '107').status, article(read, '107').publishedAt], ['scheduled', '2031-01-01T09:00:00.000Z'])
  t.same([article(read, '108').status, article(read, '108').publishedAt, article(read, '108').notes], ['draft', null, ['password-protected in source: imported as a draft']])
  t.same([article(read, '109').status, article(read, '109').notes], ['draft', ['private in source: imported as a draft']])
  const draft = article(read, '110')
  t.same([draft.status, draft.slug, draft.publishedAt, draft.createdAt], ['draft', null, null, '2024-05-11T09:00:00.000Z'], 'no post_name, zero GMT date: created at post_date in the site offset')
  const market = article(read, '111')
  t.equal(market.authorSourceId, null)
  t.same(market.notes, [
    'author "ghostwriter" is not in the file\'s author list: imported under the default author',
    'sticky in source',
    'shortcodes kept as text: [gallery], [caption]'
  ])
  const code = article(read, '112')
  t.same([code.status, code.publishedAt], ['published', '2024-05-12T11:00:00.000Z'])
  t.same(code.notes, ['no GMT date in source: time read from the local post_date at UTC+01:00 (the offset of the other items)'])
})

t.test('a WXR 1.0 file: authors from dc:creator, typed terms only, undeclared excerpt: prefix, zero dates', async (t) => {
  const read = await readFile(fixture('wxr-1.0-legacy.xml'), { timezone: 'Europe/Paris' })
  t.equal(read.format, 'wxr')
  t.equal(read.articles.length, 3)
  t.equal(read.comments.length, 2)
  t.same(read.skips, [])
  t.same(read.authors.map((a) => [a.source.id, a.name, a.slug, a.email]), [['admin', 'admin', 'admin', null], ['jo', 'jo', 'jo', null]])
  t.ok(authorsPrecedeTheirArticles(read.records), 'each login becomes an author the first time it is seen')
  const sowing = article(read, '1')
  t.same(sowing.labels, ['Gardening', 'tomatoes', 'seeds & sowing'], 'domain-less duplicates ignored, domain="tag" kept')
  t.equal(sowing.excerpt, 'Six trays of tomatoes.')
  t.same([sowing.status, sowing.publishedAt, sowing.notes], ['published', '2008-03-01T09:00:00.000Z', ['no GMT date in source: time read from the local post_date in Europe/Paris']], 'first item, no offset known yet: the site zone')
  t.equal(sowing.body, '<p>Sowed six trays of tomatoes.</p>\n<p>Next: beans.</p>')
  t.same([comment(read, '2').parentSourceId, comment(read, '1').parentSourceId], ['1', null])
  const autumn = article(read, '3')
  t.same([autumn.status, autumn.slug, autumn.publishedAt, autumn.createdAt], ['draft', null, null, null], '1969-12-31 is no date')
  t.notOk(JSON.stringify(read.records).includes('10.0.0.'), 'no IP address')
})

t.test('a WXR file declared ISO-8859-1 is decoded from Latin-1 bytes', async (t) => {
  const read = await readFile(fixture('wxr-latin1.xml'))
  t.same(read.settings.map((s) => s.value), ['Café du port', 'http://cafe.example'])
  t.equal(read.articles[0]?.title, 'Crêpes du jour')
})

t.test('reading a WXR file in chunks of 1, 13 and 4096 bytes gives the same records as reading it whole', async (t) => {
  const whole = await readFile(fixture('wxr-1.2-edge-cases.xml'))
  for (const size of [1, 13, 4096]) {
    const chunked = await readRecords(inChunks(fixture('wxr-1.2-edge-cases.xml'), size))
    t.same(chunked.records, whole.records, `${size}-byte chunks`)
  }
})


t.test('the Theme Unit Test categories are labels with their slugs, descriptions and parents; its tags are labels too', async (t) => {
  const path = sharedFixture('wxr-theme-unit-test-data.xml')
  const categories = categoriesIn(readFileSync(path, 'utf8'))
  const read = await readFile(path)
  const site = read.authors[0]!.source.site
  const labels = read.labels.filter((label) => label.source.id.startsWith('category:'))
  t.equal(labels.length, categories.length, `every category of the ${categories.length}`)
  t.ok(categories.filter((category) => category.parent !== '').length >= 10, 'the file nests categories')
  for (const category of categories) {
    const label = labels.find((candidate) => candidate.source.id === `category:${category.slug}`)
    t.same(label && [label.source.site, label.name, label.description, label.parentSourceId], [site, category.name, category.description, category.parent === '' ? null : `category:${category.parent}`], `category ${category.slug}`)
  }
  t.ok(labels.every((label) => label.parentSourceId === null || labels.some((parent) => parent.source.id === label.parentSourceId)), 'every parent is a category of the file')
  const tags = read.labels.filter((label) => label.source.id.startsWith('tag:'))
  t.equal(tags.length, [...readFileSync(path, 'utf8').matchAll(/<wp:tag>/g)].length, 'every tag')
  t.ok(tags.every((tag) => tag.parentSourceId === null), 'tags have no parents')
  t.ok(read.records.findIndex((record) => record.kind === 'article') > read.records.findLastIndex((record) => record.kind === 'label'), 'the terms come before the posts that name them')
})
