import v8 from 'node:v8'
import vm from 'node:vm'
import t from 'tap'
import { readImport } from '../../src/resources/import/formats/index.js'

// Streaming, shown without timing: a ~50 MB WXR made on the fly yields its first record
// long before the input ends, and the heap does not grow with the file.

const megabyte = 1024 * 1024

// A full collection before each heap reading, so that it shows what is kept, not garbage.
v8.setFlagsFromString('--expose-gc')
const collectGarbage = vm.runInNewContext('gc') as () => void

function retainedHeap (): number {
  collectGarbage()
  return process.memoryUsage().heapUsed
}

const channel = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Generated</title>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_blog_url>https://generated.example</wp:base_blog_url>
  <wp:author><wp:author_login>gen</wp:author_login><wp:author_display_name>Generator</wp:author_display_name></wp:author>
`

const paragraph = 'The valley council met again on Tuesday &amp; agreed the footbridge budget. '.repeat(12)

function item (id: number): string {
  const comments = [1, 2, 3].map((n) => `
    <wp:comment>
      <wp:comment_id>${id * 10 + n}</wp:comment_id>
      <wp:comment_author><![CDATA[Reader ${n}]]></wp:comment_author>
      <wp:comment_author_IP><![CDATA[192.0.2.${n}]]></wp:comment_author_IP>
      <wp:comment_date_gmt>2024-05-06 10:0${n}:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Comment ${n} on ${id}.]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>${n === 1 ? 0 : id * 10 + n - 1}</wp:comment_parent>
    </wp:comment>`).join('')
  return `
  <item>
    <title>Post ${id}</title>
    <dc:creator><![CDATA[gen]]></dc:creator>
    <content:encoded><![CDATA[<p>${paragraph}</p>]]></content:encoded>
    <wp:post_id>${id}</wp:post_id>
    <wp:post_date_gmt>2024-05-06 09:00:00</wp:post_date_gmt>
    <wp:post_name>post-${id}</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
    <category domain="category" nicename="news"><![CDATA[News]]></category>${comments}
  </item>`
}

/**
 * About `size` bytes of WXR: the channel, then one ~64 KB block of items yielded again and
 * again (the format layer does not de-duplicate ids, so repeats cost nothing to make), while
 * counting what the reader has pulled.
 */
function generatedWxr (size: number): { input: AsyncGenerator<Buffer>, consumed: () => number, items: () => number } {
  const itemsPerBlock = 32
  const block = Buffer.from(Array.from({ length: itemsPerBlock }, (_, index) => item(index + 1)).join(''))
  let consumed = 0
  let items = 0
  async function * input (): AsyncGenerator<Buffer> {
    for (const chunk of [Buffer.from(channel)]) {
      consumed += chunk.length
      yield chunk
    }
    while (consumed < size) {
      consumed += block.length
      items += itemsPerBlock
      yield block
    }
    const end = Buffer.from('\n</channel>\n</rss>\n')
    consumed += end.length
    yield end
  }
  return { input: input(), consumed: () => consumed, items: () => items }
}

t.test('a 50 MB WXR streams: the first record comes after less than 1 MB, and the heap stays flat', async (t) => {
  const file = generatedWxr(50 * megabyte)
  const reading = readImport(file.input, { now: '2026-01-01T00:00:00Z', timezone: 'UTC' })
  let consumedAtFirstRecord = -1
  const heapAt: number[] = []
  const counts = { article: 0, comment: 0, author: 0, other: 0 }
  for await (const record of reading.records) {
    if (consumedAtFirstRecord < 0) consumedAtFirstRecord = file.consumed()
    if (record.kind === 'article' || record.kind === 'comment' || record.kind === 'author') counts[record.kind]++
    else counts.other++
    // Readings at about 5, 15, 25, 35 and 45 MB into the file.
    if (file.consumed() > (heapAt.length * 10 + 5) * megabyte) heapAt.push(retainedHeap())
  }
  t.ok(file.consumed() >= 50 * megabyte, `read ${(file.consumed() / megabyte).toFixed(1)} MB`)
  t.ok(consumedAtFirstRecord > 0 && consumedAtFirstRecord < megabyte, `first record after ${consumedAtFirstRecord} bytes`)
  t.same(counts, { article: file.items(), comment: file.items() * 3, author: 1, other: 2 }, 'every item and comment, the author, the title and url settings')
  // Holding the document would add 10 MB of text per reading; what grows is the set of ids
  // seen (for duplicates), a few hundred KB per reading.
  t.equal(heapAt.length, 5)
  const growth = Math.max(...heapAt) - (heapAt[0] ?? 0)
  t.ok(growth < 8 * megabyte, `retained heap grew by ${(growth / megabyte).toFixed(1)} MB from 5 MB to 45 MB into the file`)
})
