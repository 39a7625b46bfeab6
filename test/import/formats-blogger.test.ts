import t from 'tap'
import { apiPages, legacyPages, pages2018 } from '../fixtures/import/blogger-pages.js'
import { article, authorsPrecedeTheirArticles, comment, countBy, fixture, fromBuffers, inChunks, readFile, readRecords, skipCounts } from '../fixtures/import/read-records.js'

// The Blogger readers (legacy GData schema, 2018 schema, API v3 JSON) on real and written
// fixtures: exact counts, statuses, labels, UTC times, slugs, threads and skip reasons.

const jj = 'tag:blogger.com,1999:blog-3113891067179933828.post-'
const ghost = 'tag:blogger.com,1999:blog-95625624113551471720.post-'
const harbour = 'tag:blogger.com,1999:blog-7204315598431167223.post-'

t.test('the 2008 legacy export gives 4 posts, 3 comments, 1 author and skips the 48 settings and template entries', async (t) => {
  const read = await readFile(fixture('blogger-legacy-jjsfavoritethings-2008.xml'))
  t.equal(read.format, 'blogger-legacy')
  t.equal(read.articles.length, 4)
  t.equal(read.comments.length, 3)
  t.equal(read.authors.length, 1)
  t.same(skipCounts(read.skips), { 'setting: not content': 47, 'other: not content': 1 })
  t.same(countBy(read.articles, (a) => a.status), { published: 4 })
  t.ok(read.records.every((record) => record.kind !== 'article' && record.kind !== 'comment' && record.kind !== 'author' ? true : record.source.site === '3113891067179933828'), 'every row is scoped by the blog id')
  t.ok(authorsPrecedeTheirArticles(read.records))
})

t.test('legacy posts keep their labels in file order, their slug from the alternate link, and UTC times', async (t) => {
  const read = await readFile(fixture('blogger-legacy-jjsfavoritethings-2008.xml'))
  const history = article(read, `${jj}720686382913388888`)
  t.equal(history.title, 'A (somewhat) brief history')
  t.equal(history.slug, 'somewhat-brief-history')
  t.equal(history.sourceUrl, 'http://www.blogger.com/blogspot/jjsfavoritethings/2008/04/somewhat-brief-history.html')
  t.same(history.labels, ['individual', 'Everything', 'Previously Unpublished'])
  t.equal(history.publishedAt, '2008-04-15T16:28:00.000Z', '09:28-07:00 in UTC')
  t.equal(history.updatedAt, '2008-11-12T00:05:24.968Z', '16:05-08:00 crosses the UTC day')
  t.equal(history.authorSourceId, '03729555694632144017', 'keyed by the profile number')
  t.same(read.articles.map((a) => a.slug), ['somewhat-brief-history', 'about-me', 'rolling-in-hawaii', 'this-about-sums-up-my-life'])
  t.match(article(read, `${jj}3871393406818523145`).body, /<object width="425" height="355">/, 'the body is HTML as found, not sanitised here')
})

t.test('legacy comments point at their post, land on the next UTC day and drop placeholder e-mails', async (t) => {
  const read = await readFile(fixture('blogger-legacy-jjsfavoritethings-2008.xml'))
  const fixed = comment(read, `${jj}1066271041639903470`)
  t.equal(fixed.createdAt, '2008-11-12T00:10:00.000Z', '2008-11-11T16:10-08:00')
  t.equal(fixed.articleSourceId, `${jj}7031156583478223661`)
  t.equal(fixed.parentSourceId, null)
  t.equal(fixed.status, 'approved')
  t.equal(fixed.authorEmail, null, 'noreply@blogger.com is a placeholder')
  const nice = comment(read, `${jj}8841580313327712653`)
  t.equal(nice.authorName, 'journalseditor @ aol')
  t.equal(nice.authorUrl, 'http://www.blogger.com/profile/14651649569077291860')
  t.equal(nice.body, 'Nice picture!!!<BR/><BR/>I mean <B>NICE</B> picture.')
  t.same(countBy(read.comments, (c) => c.articleSourceId.slice(jj.length)), { '7031156583478223661': 2, '720686382913388888': 1 })
  t.notOk(JSON.stringify(read.records).includes('noreply@blogger.com'))
})

t.test('the legacy author keeps a real e-mail as private data and the blog settings are reported', async (t) => {
  const read = await readFile(fixture('blogger-legacy-jjsfavoritethings-2008.xml'))
  const [jjAuthor] = read.authors
  t.equal(jjAuthor?.name, 'JJ')
  t.equal(jjAuthor?.url, 'http://www.blogger.com/profile/03729555694632144017')
  t.ok(jjAuthor?.email !== null && jjAuthor?.email !== 'noreply@blogger.com', 'the one real address is kept (the importer keeps e-mails private)')
  t.same(read.settings, [
    { kind: 'setting', name: 'title', value: 'JJ\'s Favorite Things' },
    { kind: 'setting', name: 'timezone', value: 'America/Los_Angeles' },
    { kind: 'setting', name: 'locale', value: 'en' }
  ], 'BLOG_DESCRIPTION is empty in this file, so it is not reported')
})

t.test('the ghost sample emits both entries that share an atom:id (staging reports the second) and keeps 20-digit ids as strings', async (t) => {
  const read = await readFile(fixture('blogger-legacy-ghost-sample.xml'))
  t.equal(read.format, 'blogger-legacy')
  t.equal(read.articles.length, 3)
  t.equal(read.comments.length, 0, 'thr:total says 1, but the file holds no comment')
  t.same(read.skips, [])
  t.same(read.articles.map((a) => [a.source.id.slice(ghost.length), a.title, a.status]), [
    ['91440665006443736824', 'Rhoncus Published Post', 'published'],
    ['41118340298474051152', 'Vestibulum Post With Image', 'published'],
    ['91440665006443736824', 'Maecenas Draft Post', 'draft']
  ])
  const [first, , draft] = read.articles
  t.equal(first?.source.site, '95625624113551471720')
  t.equal(first?.publishedAt, '2018-09-12T13:30:00.001Z', '09:30:00.001-04:00')
  t.equal(first?.slug, 'rhoncus')
  t.match(first?.body, /sed&nbsp;convallis/, '&amp;nbsp; is decoded once, to the HTML entity')
  t.same([draft?.slug, draft?.sourceUrl, draft?.publishedAt, draft?.createdAt], [null, null, null, '2016-09-12T13:30:00.001Z'], 'app:draft declared on the element; no alternate link')
  t.same(article(read, `${ghost}41118340298474051152`).labels, ['All Night Party', 'Dance'])
  t.same(read.authors.map((a) => [a.source.id, a.name, a.email, a.avatarUrl]), [['34433122588827255699', 'My Old Blog', null, null]], 'placeholder e-mail and avatar dropped')
})

t.test('a post\'s media:thumbnail is a media record keyed by its address, and the post\'s featured image', async (t) => {
  const read = await readFile(fixture('blogger-legacy-ghost-sample.xml'))
  const address = 'https://images.com/1234/5678/s72-c/IMG_1234.jpg'
  t.same(read.media, [{ kind: 'media', source: { site: '95625624113551471720', id: address }, url: address, fileName: 'IMG_1234.jpg', alt: '', caption: '', authorSourceId: '34433122588827255699' }])
  t.equal(article(read, `${ghost}41118340298474051152`).featuredMediaSourceId, address)
  t.same(read.articles.filter((post) => post.featuredMediaSourceId === undefined).length, 2, 'the posts without one')
  const mediaAt = read.records.findIndex((record) => record.kind === 'media')
  t.equal(read.records[mediaAt + 1]?.kind, 'article', 'the media record comes just before its post')
})

t.test('2018-schema posts sharing one thumbnail address share one media record', async (t) => {
  const entry = (id: string) => `<entry><id>tag:blogger.com,1999:blog-42.post-${id}</id><blogger:type>POST</blogger:type><blogger:status>LIVE</blogger:status>
    <title>Post ${id}</title><content type='html'>Hello</content><published>2024-03-01T09:30:00Z</published>
    <media:thumbnail url='https://blogger.googleusercontent.com/img/b/R29v/s72-c/harbour.png' width='72' height='72'/></entry>`
  const feed = `<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:blogger='http://schemas.google.com/blogger/2018' xmlns:media='http://search.yahoo.com/mrss/'>
    <id>tag:blogger.com,1999:blog-42</id>${entry('1')}${entry('2')}</feed>`
  const read = await readRecords(fromBuffers(Buffer.from(feed)))
  t.equal(read.format, 'blogger-2018')
  t.same(read.media.map((media) => [media.source.id, media.fileName]), [['https://blogger.googleusercontent.com/img/b/R29v/s72-c/harbour.png', 'harbour.png']])
  t.same(read.articles.map((post) => post.featuredMediaSourceId), ['https://blogger.googleusercontent.com/img/b/R29v/s72-c/harbour.png', 'https://blogger.googleusercontent.com/img/b/R29v/s72-c/harbour.png'])
})

t.test('a 2018-schema feed maps posts, drafts, trashed posts, a page and threaded comments', async (t) => {
  const read = await readFile(fixture('blogger-2018-feed.atom'))
  t.equal(read.format, 'blogger-2018')
  t.equal(read.articles.length, 4)
  t.equal(read.comments.length, 4)
  t.equal(read.authors.length, 2)
  t.same(skipCounts(read.skips), {
    'article: trashed': 2,
    'comment: its article was skipped (page)': 1,
    'comment: trashed': 1
  }, 'the page is imported; its comment is skipped, as WordPress pages\' are')
  t.same(read.pages, [{
    kind: 'page',
    source: { site: '7204315598431167223', id: `${harbour}7777777777777777777` },
    title: 'About the harbour',
    slug: 'about',
    body: 'We write about boats.',
    excerpt: null,
    status: 'published',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    parentSourceId: null,
    position: 0
  }], 'a LIVE page, its slug from /p/about.html, no parent, position 0')
  t.same(Object.fromEntries(read.articles.map((a) => [a.source.id.slice(harbour.length), a.status])), {
    '1111111111111111111': 'published',
    '2222222222222222222': 'draft',
    '5555555555555555555': 'published',
    '6666666666666666666': 'scheduled'
  })
  t.ok(authorsPrecedeTheirArticles(read.records))
})

t.test('2018 posts take their slug from blogger:filename, labels from non-empty categories, and decode entities once', async (t) => {
  const read = await readFile(fixture('blogger-2018-feed.atom'))
  const ferry = article(read, `${harbour}1111111111111111111`)
  t.equal(ferry.slug, 'ferry-timetable')
  t.equal(ferry.sourceUrl, '/2024/03/ferry-timetable.html')
  t.same(ferry.labels, ['Transport', 'Harbour & Quays'], 'empty <category/> and term="" ignored')
  t.equal(ferry.excerpt, 'Summer crossings every 40 minutes.', 'from blogger:metaDescription')
  t.equal(ferry.body, '<p>Crossings every 40&nbsp;minutes.</p><p>Write &lt;script&gt; to see a tag.</p>', '&amp;lt;script&amp;gt; stays text')
  t.equal(ferry.createdAt, '2024-02-28T19:40:53.278Z', 'from blogger:created')
  t.equal(ferry.publishedAt, '2024-03-01T09:30:00.000Z')
  t.equal(ferry.updatedAt, '2024-03-04T11:26:59.997Z')
  t.equal(ferry.authorSourceId, 'https://www.blogger.com/profile/10000000000000000001', 'keyed by uri')
  const draft = article(read, `${harbour}2222222222222222222`)
  t.same([draft.title, draft.slug, draft.publishedAt, draft.status], ['', null, null, 'draft'], 'an untitled draft with an empty filename')
  const greek = article(read, `${harbour}5555555555555555555`)
  t.equal(greek.title, 'Αγορά ψαριών στο λιμάνι · 港の朝市')
  t.equal(greek.publishedAt, '2024-04-12T05:00:00.000Z', '08:00+03:00')
  t.same(greek.labels, ['Αγορά'])
  t.equal(greek.authorSourceId, 'Νίκος Ψαράς', 'an author without uri is keyed by name')
  t.equal(article(read, `${harbour}6666666666666666666`).publishedAt, '2031-06-01T07:00:00.000Z', 'LIVE after now is scheduled at its date')
})

t.test('2018 comments: one before its post, replies by full id and by bare number, pending and trashed ones', async (t) => {
  const read = await readFile(fixture('blogger-2018-feed.atom'))
  t.equal(read.records[0]?.kind, 'comment', 'the comment that precedes its post is emitted as it comes')
  const first = comment(read, `${harbour}5550000000000000001`)
  t.same([first.articleSourceId, first.parentSourceId, first.createdAt, first.authorName, first.authorUrl], [`${harbour}1111111111111111111`, null, '2024-03-02T13:15:00.000Z', 'Marta Quayside', null])
  t.equal(comment(read, `${harbour}5550000000000000002`).parentSourceId, `${harbour}5550000000000000001`, 'inReplyTo as a full id')
  t.equal(comment(read, `${harbour}5550000000000000003`).parentSourceId, `${harbour}5550000000000000002`, 'inReplyTo as a bare number, rebuilt into the full id')
  t.equal(comment(read, `${harbour}5550000000000000003`).createdAt, '2024-03-03T07:30:00.000Z', '23:30-08:00 is the next UTC day')
  t.equal(comment(read, `${harbour}5550000000000000003`).body, 'You&#39;re welcome.', 'bodies are not HTML-decoded a second time')
  t.equal(comment(read, `${harbour}5550000000000000005`).status, 'pending', 'any status but LIVE waits for moderation')
  t.same(countBy(read.comments, (c) => c.status), { approved: 3, pending: 1 })
})

t.test('a Blogger API postList maps statuses, decodes plain-text fields once and keeps 64-bit ids as strings', async (t) => {
  const read = await readFile(fixture('blogger-api-posts.json'))
  t.equal(read.format, 'blogger-api')
  t.equal(read.articles.length, 4, 'the post repeated by an overlapping page is emitted again (staging reports it)')
  t.equal(read.comments.length, 1, 'the reply embedded in replies.items')
  t.equal(read.authors.length, 2)
  t.same(skipCounts(read.skips), { 'article: trashed': 1 })
  const mast = article(read, '8070105920543249955')
  t.same([mast.title, mast.status, mast.publishedAt, mast.updatedAt, mast.slug], ['Mast repairs & a new schedule', 'published', '2015-06-25T14:03:00.000Z', '2015-06-25T14:10:42.118Z', 'mast-repairs'])
  t.same(mast.labels, ['Good & Bad', 'This & That'], 'decoded once, then de-duplicated')
  t.equal(mast.body, '<p>The mast is fixed.</p><p>Type &lt;b&gt; for bold.</p>')
  t.equal(mast.source.site, '4967929378133675647')
  t.equal(article(read, '8070105920543249956').status, 'draft')
  const leap = article(read, '12345678901234567890')
  t.equal(leap.source.id, '12345678901234567890', 'an id written as a bare 20-digit number is kept exactly')
  t.same([leap.status, leap.publishedAt], ['scheduled', '2032-02-29T11:00:00.000Z'])
  t.same(read.authors.map((a) => [a.source.id, a.name, a.avatarUrl, a.email]), [
    ['11111111111111111111', 'Important Author & Co.', null, null],
    ['33333333333333333333', 'Night Shift', null, null]
  ])
  t.same(comment(read, '3000000000000000001').createdAt, '2015-06-26T03:30:00.000Z')
})

t.test('a Blogger API commentList maps LIVE, PENDING, SPAM and EMPTIED and threads by inReplyTo', async (t) => {
  const read = await readFile(fixture('blogger-api-comments.json'))
  t.equal(read.format, 'blogger-api')
  t.same(Object.fromEntries(read.comments.map((c) => [c.source.id, c.status])), {
    '3000000000000000002': 'approved',
    '3000000000000000003': 'pending',
    '3000000000000000004': 'spam',
    '3000000000000000005': 'rejected',
    '3000000000000000006': 'approved'
  })
  const reply = comment(read, '3000000000000000002')
  t.same([reply.parentSourceId, reply.articleSourceId, reply.authorName, reply.createdAt], ['3000000000000000001', '8070105920543249955', 'Café & Radio', '2015-06-26T06:00:00.000Z'])
  t.equal(comment(read, '3000000000000000003').authorName, 'Anonymous')
  t.equal(read.articles.length, 0)
})

t.test('a bare array of Blogger API posts and a page: no status means live', async (t) => {
  const read = await readFile(fixture('blogger-api-array.json'))
  t.equal(read.format, 'blogger-api')
  t.same(read.articles.map((a) => [a.source.id, a.status, a.slug]), [['5100000000000000001', 'published', 'spring'], ['5100000000000000002', 'published', 'april']])
  t.same(article(read, '5100000000000000002').notes, ['no body in the dump (fetched with fetchBodies=false?)'])
  t.same(read.skips, [])
  t.same(read.pages.map((page) => [page.source.site, page.source.id, page.title, page.slug, page.body, page.status]), [['4967929378133675647', '5200000000000000001', 'Contact', null, '', 'published']], 'without a url the slug comes from the title when written')
  t.equal(read.authors.length, 1, 'the author of both posts, once')
})

const readText = async (text: string) => await readRecords(fromBuffers(Buffer.from(text)))

t.test('a legacy page is a page: slug from /p/…, line breaks converted as for posts, a draft by app:draft; its comment skipped', async (t) => {
  const read = await readText(legacyPages)
  t.equal(read.format, 'blogger-legacy')
  t.same(read.articles.map((post) => post.title), ['Harbour news'], 'pages are not articles')
  t.same(read.pages, [{
    kind: 'page',
    source: { site: '81', id: 'tag:blogger.com,1999:blog-81.post-2' },
    title: 'About & contact',
    slug: 'about-us',
    body: '<p onclick="steal()">Who we are</p><script>alert(1)</script><br />\nWrite to the harbour office.',
    excerpt: null,
    status: 'published',
    createdAt: '2012-01-05T17:00:00.000Z',
    updatedAt: '2012-02-01T17:00:00.000Z',
    parentSourceId: null,
    position: 0
  }, {
    kind: 'page',
    source: { site: '81', id: 'tag:blogger.com,1999:blog-81.post-3' },
    title: 'Opening hours',
    slug: null,
    body: 'Soon.',
    excerpt: null,
    status: 'draft',
    createdAt: '2012-01-06T17:00:00.000Z',
    updatedAt: '2012-01-06T17:00:00.000Z',
    parentSourceId: null,
    position: 0
  }], 'as found (sanitised when written); the draft has no alternate link, so no slug')
  t.same(skipCounts(read.skips), { 'setting: not content': 1, 'comment: its article was skipped (page)': 1 })
  t.equal(read.comments.length, 0)
})

t.test('2018 pages: LIVE published, DRAFT a draft, trashed (blogger:trashed or SOFT_TRASHED) skipped, comments on any skipped', async (t) => {
  const read = await readText(pages2018)
  t.equal(read.format, 'blogger-2018')
  t.same(read.articles.map((post) => post.title), ['New ferry'])
  t.same(read.pages.map((page) => [page.source.id.slice(-1), page.title, page.slug, page.status, page.excerpt, page.createdAt, page.updatedAt, page.parentSourceId, page.position]), [
    ['2', 'Ferry timetable', 'ferry-timetable', 'published', 'When the ferries sail.', '2023-12-30T08:00:00.000Z', '2024-02-01T10:00:00.000Z', null, 0],
    ['3', 'Fares (draft)', null, 'draft', null, '2024-01-03T10:00:00.000Z', '2024-01-03T10:00:00.000Z', null, 0]
  ], 'createdAt from blogger:created; an empty filename leaves the slug to the title')
  t.match(read.pages[0]?.body, /^<p>Every 40&nbsp;minutes\.<\/p><iframe/, 'the body as found: sanitised when written')
  t.same(read.skips.map((skip) => [skip.resource, skip.sourceId?.slice(-1), skip.reason]), [
    ['page', '4', 'trashed'],
    ['page', '5', 'trashed'],
    ['comment', '6', 'its article was skipped (page)'],
    ['comment', '7', 'its article was skipped (trashed)']
  ])
})

t.test('Blogger API pages (a pages.list): LIVE published, DRAFT a draft, SOFT_TRASHED or trashed skipped; comments on a page skipped', async (t) => {
  const read = await readText(apiPages)
  t.equal(read.format, 'blogger-api')
  t.same(read.articles.map((post) => post.title), ['On air'])
  t.same(read.pages.map((page) => [page.source.site, page.source.id, page.title, page.slug, page.status, page.createdAt, page.updatedAt, page.parentSourceId, page.position]), [
    ['83', '8300000000000000001', 'Contact & tips', 'contact', 'published', '2016-05-01T17:00:00.000Z', '2016-06-01T17:00:00.000Z', null, 0],
    ['83', '8300000000000000002', 'Advertising', null, 'draft', '2016-05-02T17:00:00.000Z', '2016-05-02T17:00:00.000Z', null, 0]
  ], 'title decoded once; no url, no slug')
  t.same(skipCounts(read.skips), { 'page: trashed': 2, 'comment: its article was skipped (page)': 1 })
  t.same(read.comments, [])
})

t.test('reading a Blogger file in 7-byte chunks gives the same records as reading it whole', async (t) => {
  for (const name of ['blogger-2018-feed.atom', 'blogger-legacy-ghost-sample.xml', 'blogger-api-posts.json']) {
    const whole = await readFile(fixture(name))
    const chunked = await readRecords(inChunks(fixture(name), 7))
    t.same(chunked.records, whole.records, name)
  }
})
