import { readFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import { detectFormat } from '../../src/resources/import/formats/index.js'
import { failure, fixture, fromBuffers, inChunks, isMalformed, readFile, readRecords } from '../fixtures/import/read-records.js'

// Hostile and malformed input: every one is a MalformedImportError naming the line and
// column where there is one, never another exception, never a hang.

const malformed = (name: string): string => fixture(`malformed/${name}`)

async function * fileBytes (path: string): AsyncGenerator<Buffer> {
  yield readFileSync(path)
}

async function * text (value: string): AsyncGenerator<string> {
  yield value
}

async function malformedAt (t: Test, input: AsyncIterable<Buffer | string>, expected: { line: number | null, column?: number | null, message: RegExp }, options = {}): Promise<void> {
  const error = await failure(input, options)
  if (!isMalformed(error)) {
    t.fail(`expected a MalformedImportError, got ${String(error)}`)
    return
  }
  t.match(error.message, expected.message)
  t.equal(error.line, expected.line, 'line')
  if (expected.column !== undefined) t.equal(error.column, expected.column, 'column')
}

t.test('a DOCTYPE with entity expansion (billion laughs) is refused where it starts', async (t) => {
  await malformedAt(t, fileBytes(malformed('billion-laughs.xml')), { line: 2, column: 1, message: /DOCTYPE is not allowed/ })
  await malformedAt(t, fileBytes(malformed('billion-laughs.xml')), { line: 2, column: 1, message: /DOCTYPE is not allowed/ }, { format: 'wxr' })
})

t.test('an external entity (XXE) is refused with the DOCTYPE, before any file could be read', async (t) => {
  await malformedAt(t, fileBytes(malformed('xxe.xml')), { line: 2, column: 1, message: /DOCTYPE is not allowed/ })
  const forced = await failure(fileBytes(malformed('xxe.xml')), { format: 'blogger-legacy' })
  t.ok(isMalformed(forced) && forced.line === 2 && !forced.message.includes('root:'))
})

t.test('a bare & is an error at its own line and column, even with valid entities and CDATA before it', async (t) => {
  await malformedAt(t, fileBytes(malformed('bare-ampersand.xml')), { line: 13, column: 17, message: /a bare "&"/ })
  await malformedAt(t, inChunks(malformed('bare-ampersand.xml'), 5), { line: 13, column: 17, message: /a bare "&"/ })
})

t.test('a truncated file is an unexpected end of file, after the complete items before it', async (t) => {
  const records: string[] = []
  let caught: unknown = null
  try {
    const read = await import('../../src/resources/import/formats/index.js')
    const reading = read.readImport(fileBytes(malformed('truncated.xml')), { now: '2026-01-01T00:00:00Z', timezone: 'UTC' })
    for await (const record of reading.records) records.push(record.kind)
  } catch (error) {
    caught = error
  }
  t.ok(isMalformed(caught))
  t.match((caught as Error).message, /unexpected end of file/)
  t.equal(isMalformed(caught) ? caught.line : 0, 18)
  t.same(records, ['setting', 'setting', 'author', 'article'], 'the channel and the complete first item were read')
})

t.test('bytes that are not UTF-8 under a UTF-8 declaration are an error at the first bad byte', async (t) => {
  await malformedAt(t, fileBytes(malformed('wrong-encoding.xml')), { line: 4, column: 13, message: /not valid utf-8/ })
  await malformedAt(t, inChunks(malformed('wrong-encoding.xml'), 64), { line: 4, column: 13, message: /not valid utf-8/ })
})

t.test('an encoding Dateline cannot read is named in the error', async (t) => {
  await malformedAt(t, fileBytes(malformed('unknown-encoding.xml')), { line: 1, column: 1, message: /"EBCDIC-US"/ })
})

t.test('UTF-16 files with a byte-order mark are read, little- and big-endian', async (t) => {
  const xml = readFileSync(fixture('wxr-1.0-legacy.xml'), 'utf8').replace('encoding="UTF-8"', 'encoding="UTF-16"')
  const littleEndian = Buffer.from(`\uFEFF${xml}`, 'utf16le')
  const bigEndian = Buffer.from(littleEndian).swap16()
  const expected = await readFile(fixture('wxr-1.0-legacy.xml'))
  t.same((await readRecords(fromBuffers(littleEndian))).records, expected.records)
  t.same((await readRecords(fromBuffers(bigEndian.subarray(0, 301), bigEndian.subarray(301)))).records, expected.records, 'a character split across chunks')
})

t.test('elements nested 1000 deep are refused at the depth limit', async (t) => {
  await malformedAt(t, fileBytes(malformed('deep-nesting.xml')), { line: 6, message: /nested more than 64 deep/ })
  const hundred = `<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version><item>${'<x>'.repeat(100)}${'</x>'.repeat(100)}</item></channel></rss>`
  await malformedAt(t, text(hundred), { line: 2, message: /nested more than 64 deep/ })
})

t.test('"]]>" in text, an undefined entity and an unbound prefix are errors with their position', async (t) => {
  await malformedAt(t, fileBytes(malformed('cdata-terminator-in-text.xml')), { line: 7, column: 27, message: /"\]\]>" is disallowed/ })
  await malformedAt(t, fileBytes(malformed('undefined-entity.xml')), { line: 7, column: 21, message: /undefined entity/ })
  await malformedAt(t, fileBytes(malformed('unbound-prefix.xml')), { line: 8, column: 20, message: /unbound namespace prefix: "yoast"/ })
})

t.test('an empty file, binary garbage and JSON of neither format are refused', async (t) => {
  await malformedAt(t, fileBytes(malformed('empty.xml')), { line: null, message: /the file is empty/ })
  await malformedAt(t, text('   \n\t '), { line: null, message: /the file is empty/ })
  await malformedAt(t, fileBytes(malformed('garbage.bin')), { line: 1, column: 1, message: /not valid utf-8/ })
  await malformedAt(t, fileBytes(malformed('neither.json')), { line: null, message: /unrecognised format/ })
  await malformedAt(t, fileBytes(malformed('not-blogger-array.json')), { line: null, message: /not a Blogger API dump: element 0/ })
  await malformedAt(t, fileBytes(malformed('broken.json')), { line: 4, column: 41, message: /not valid JSON/ })
  await malformedAt(t, text('<html><body>Not an export</body></html>'), { line: null, message: /unrecognised format/ })
})

t.test('a JSON dump over 64 MB is refused without parsing it', async (t) => {
  const megabyte = `${' '.repeat(1024 * 1024 - 1)}\n`
  async function * huge (): AsyncGenerator<string> {
    yield '[{"kind": "blogger#post", "id": "1"}'
    for (let index = 0; index < 65; index++) yield megabyte
    yield ']'
  }
  await malformedAt(t, huge(), { line: null, message: /too large for a JSON dump; / })
})

t.test('a forced format that does not match the file is an error naming what the file is', async (t) => {
  await malformedAt(t, fileBytes(fixture('blogger-2018-feed.atom')), { line: 1, message: /not a WordPress export: the document is a <feed> in http:\/\/www\.w3\.org\/2005\/Atom/ }, { format: 'wxr' })
  await malformedAt(t, fileBytes(fixture('wxr-1.0-legacy.xml')), { line: 1, message: /not a Blogger export/ }, { format: 'blogger-2018' })
  const ndjson = await failure(fileBytes(fixture('wxr-1.0-legacy.xml')), { format: 'ndjson' })
  t.ok(isMalformed(ndjson) && ndjson.line === 1, 'XML read as NDJSON fails on line 1')
})

t.test('a cut at any point of a valid file gives records or a MalformedImportError, never another error', async (t) => {
  const bytes = readFileSync(fixture('wxr-1.2-edge-cases.xml'))
  const outcomes = { read: 0, malformed: 0, other: [] as string[] }
  for (let cut = 0; cut < bytes.length; cut += 397) {
    const error = await failure(fromBuffers(bytes.subarray(0, cut)))
    if (error === 'no error') outcomes.read++
    else if (isMalformed(error)) outcomes.malformed++
    else outcomes.other.push(`${cut}: ${String(error)}`)
  }
  t.same(outcomes.other, [])
  t.ok(outcomes.malformed > 50)
})

t.test('flipped bytes anywhere in a Blogger file give records or a MalformedImportError, never another error', async (t) => {
  const bytes = readFileSync(fixture('blogger-2018-feed.atom'))
  const other: string[] = []
  for (let at = 0; at < bytes.length; at += 211) {
    for (const value of [0x00, 0x26, 0x3C, 0xFF]) {
      const damaged = Buffer.from(bytes)
      damaged[at] = value
      const error = await failure(fromBuffers(damaged))
      if (error !== 'no error' && !isMalformed(error)) other.push(`${at}=${value}: ${String(error)}`)
    }
  }
  t.same(other, [])
})

t.test('detectFormat decides by namespace and structure, past BOMs, comments and processing instructions', async (t) => {
  t.equal(detectFormat('\uFEFF<?xml version="1.0"?><?xml-stylesheet href="a.css"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom"><generator>Blogger</generator>'), 'blogger-legacy')
  t.equal(detectFormat('<ns0:feed xmlns:ns0="http://www.w3.org/2005/Atom"><ns0:id>tag:blogger.com,1999:blog-17.archive</ns0:id>'), 'blogger-legacy')
  t.equal(detectFormat("<feed xmlns='http://www.w3.org/2005/Atom' xmlns:blogger='http://schemas.google.com/blogger/2018'><id>tag:blogger.com,1999:blog-1</id>"), 'blogger-2018')
  t.equal(detectFormat('<feed xmlns="http://www.w3.org/2005/Atom"><title>A plain feed</title>'), null, 'plain Atom is not imported')
  t.equal(detectFormat('<feed><title>No namespace</title>'), null)
  t.equal(detectFormat('<!-- WXR -->\n<rss version="2.0" xmlns:wp="https://wordpress.org/export/1.2/"><channel>'), 'wxr')
  t.equal(detectFormat('<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.0</wp:wxr_version>'), 'wxr', 'an undeclared wp: prefix')
  t.equal(detectFormat('<rss version="2.0"><channel><title>Plain RSS</title>'), null)
  t.equal(detectFormat('{"type":"header","format":"dateline","version":1}\n{"type":"author"}'), 'ndjson')
  t.equal(detectFormat('{"kind": "blogger#postList", "items": []}'), 'blogger-api')
  t.equal(detectFormat('  [{"kind": "blogger#post"}]'), 'blogger-api')
  t.equal(detectFormat('{"type":"header","format":"other"}'), null)
  t.equal(detectFormat(''), null)
  t.equal(detectFormat('\u0089PNG'), null)
})

t.test('a legacy Blogger file with ns0:/ns1: prefixes, an undeclared app: prefix and a removed comment reads like any other', async (t) => {
  const feed = `<?xml version="1.0"?>
<ns0:feed xmlns:ns0="http://www.w3.org/2005/Atom" xmlns:ns1="http://purl.org/syndication/thread/1.0">
  <ns0:id>tag:blogger.com,1999:blog-17.archive</ns0:id>
  <ns0:generator>Blogger</ns0:generator>
  <ns0:entry>
    <ns0:id>tag:blogger.com,1999:blog-17.post-21</ns0:id>
    <ns0:category scheme="http://schemas.google.com/g/2005#kind" term="http://schemas.google.com/blogger/2008/kind#post"/>
    <ns0:title type="html">Tea &amp;amp; &lt;b&gt;biscuits&lt;/b&gt;</ns0:title>
    <ns0:content type="html">Line one
Line two</ns0:content>
    <ns0:published>2009-01-01T10:00:00.000+01:00</ns0:published>
    <app:control><app:draft>yes</app:draft></app:control>
    <ns0:author><ns0:name>Tea Lady</ns0:name><ns0:uri>https://www.blogger.com/profile/0042</ns0:uri><ns0:email>noreply@blogger.com</ns0:email><gd:image xmlns:gd="http://schemas.google.com/g/2005" rel="http://schemas.google.com/g/2005#thumbnail" src="//blogger.googleusercontent.com/img/tea.png"/></ns0:author>
  </ns0:entry>
  <ns0:entry>
    <ns0:id>tag:blogger.com,1999:blog-17.post-22</ns0:id>
    <ns0:category scheme="http://schemas.google.com/g/2005#kind" term="http://schemas.google.com/blogger/2008/kind#comment"/>
    <ns0:content type="html">Lovely.</ns0:content>
    <ns0:published>2009-01-02T10:00:00.000Z</ns0:published>
    <ns0:link rel="related" type="application/atom+xml" href="http://www.blogger.com/feeds/17/21/comments/default/20"/>
    <ns1:in-reply-to ref="tag:blogger.com,1999:blog-17.post-21" type="text/html"/>
  </ns0:entry>
  <ns0:entry>
    <ns0:id>tag:blogger.com,1999:blog-17.post-23</ns0:id>
    <ns0:category scheme="http://schemas.google.com/g/2005#kind" term="http://schemas.google.com/blogger/2008/kind#comment"/>
    <ns0:content type="html">This comment has been removed by the author.</ns0:content>
    <ns0:published>2009-01-03T10:00:00.000Z</ns0:published>
    <gd:extendedProperty xmlns:gd="http://schemas.google.com/g/2005" name="blogger.contentRemoved" value="true"/>
    <ns1:in-reply-to ref="tag:blogger.com,1999:blog-17.post-21" type="text/html"/>
  </ns0:entry>
</ns0:feed>`
  const read = await readRecords(text(feed))
  t.equal(read.format, 'blogger-legacy')
  t.same(read.articles.map((a) => [a.source.site, a.source.id, a.title, a.status, a.publishedAt, a.createdAt]), [['17', 'tag:blogger.com,1999:blog-17.post-21', 'Tea & biscuits', 'draft', null, '2009-01-01T09:00:00.000Z']])
  t.same(read.comments.map((c) => [c.articleSourceId, c.parentSourceId, c.authorName, c.status]), [
    ['tag:blogger.com,1999:blog-17.post-21', 'tag:blogger.com,1999:blog-17.post-20', 'Anonymous', 'approved'],
    ['tag:blogger.com,1999:blog-17.post-21', null, 'Anonymous', 'rejected']
  ], 'a related link names the parent comment; blogger.contentRemoved means rejected')
  t.same(read.authors.map((a) => [a.source.id, a.name, a.email, a.avatarUrl]), [['0042', 'Tea Lady', null, 'https://blogger.googleusercontent.com/img/tea.png']], 'a protocol-relative avatar made https')
})

t.test('a legacy Blogger file with BLOG_CONVERT_LINE_BREAKS=true gets <br /> for its newlines', async (t) => {
  const feed = `<feed xmlns="http://www.w3.org/2005/Atom">
  <id>tag:blogger.com,1999:blog-5.archive</id>
  <entry><id>tag:blogger.com,1999:blog-5.settings.BLOG_CONVERT_LINE_BREAKS</id><category scheme="http://schemas.google.com/g/2005#kind" term="http://schemas.google.com/blogger/2008/kind#settings"/><content type="text">true</content></entry>
  <entry><id>tag:blogger.com,1999:blog-5.settings.BLOG_DESCRIPTION</id><category scheme="http://schemas.google.com/g/2005#kind" term="http://schemas.google.com/blogger/2008/kind#settings"/><content type="text">Two &amp;amp; two</content></entry>
  <entry><id>tag:blogger.com,1999:blog-5.post-1</id><category scheme="http://schemas.google.com/g/2005#kind" term="http://schemas.google.com/blogger/2008/kind#post"/><title>Lines</title><content type="html">one
two</content><published>2009-01-01T10:00:00Z</published></entry>
</feed>`
  const read = await readRecords(text(feed))
  t.equal(read.articles[0]?.body, 'one<br />\ntwo')
  t.same(read.settings, [{ kind: 'setting', name: 'description', value: 'Two &amp; two' }])
  t.same(read.skips.map((s) => s.reason), ['not content', 'not content'])
})

t.test('the format promise resolves from the first bytes, before the records are read', async (t) => {
  const { readImport } = await import('../../src/resources/import/formats/index.js')
  const reading = readImport(inChunks(fixture('wxr-1.2-edge-cases.xml'), 1024), { now: '2026-01-01T00:00:00Z', timezone: 'UTC' })
  t.equal(await reading.format, 'wxr')
  let count = 0
  for await (const record of reading.records) if (record.kind === 'article') count++
  t.equal(count, 12)
  const failing = readImport(fileBytes(malformed('neither.json')), { now: '2026-01-01T00:00:00Z', timezone: 'UTC' })
  await t.rejects(failing.format, { name: 'MalformedImportError' })
})
