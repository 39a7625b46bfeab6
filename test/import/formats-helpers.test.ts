import { readFileSync } from 'node:fs'
import t from 'tap'
import { decodeInput } from '../../src/resources/import/formats/decode.js'
import { readImport } from '../../src/resources/import/formats/index.js'
import { fileNameOf, imageAddress, notAnImage } from '../../src/resources/import/formats/media.js'
import { autop, plainText, shortcodesIn, slugFromPath, sourceSlug } from '../../src/resources/import/formats/text.js'
import { utcFromRfc3339, utcFromWxrGmt, utcFromZone, wxrWallTime } from '../../src/resources/import/formats/timestamps.js'
import { fixture } from '../fixtures/import/read-records.js'

// The small rules every format relies on: times, plain text, paragraphs, slugs; and the
// input being closed whatever happens.

t.test('RFC 3339 times become UTC with milliseconds; impossible ones and years beyond 9999 are no date', async (t) => {
  t.equal(utcFromRfc3339('2008-11-11T16:10:00-08:00'), '2008-11-12T00:10:00.000Z')
  t.equal(utcFromRfc3339('2018-09-12T09:30:00.001-04:00'), '2018-09-12T13:30:00.001Z')
  t.equal(utcFromRfc3339('2011-10-08T19:40:53.278123Z'), '2011-10-08T19:40:53.278Z', 'extra fraction digits cut')
  t.equal(utcFromRfc3339('2024-03-01T09:30Z'), '2024-03-01T09:30:00.000Z', 'seconds are optional')
  t.equal(utcFromRfc3339('0001-01-01T00:30:00+01:00'), null, 'before the year 1 once in UTC')
  t.equal(utcFromRfc3339('9999-12-31T23:30:00-01:00'), null, 'after 9999 once in UTC')
  t.equal(utcFromRfc3339('2015-02-30T10:00:00Z'), null)
  t.equal(utcFromRfc3339('2015-06-25'), null, 'a day is not an instant')
  t.equal(utcFromRfc3339('yesterday'), null)
})

t.test('WXR dates: zero, -0001, the epoch and 1969-12-31 are no date', async (t) => {
  t.equal(utcFromWxrGmt('2025-01-19 02:26:26'), '2025-01-19T02:26:26.000Z')
  for (const zero of ['0000-00-00 00:00:00', '-0001-11-30 00:00:00', '1970-01-01 00:00:00', '1969-12-31 16:00:00', '', '2024-13-01 00:00:00']) {
    t.equal(utcFromWxrGmt(zero), null, zero)
  }
})

t.test('a local WXR time in an IANA zone follows daylight saving time', async (t) => {
  const wallTime = (value: string): number => wxrWallTime(value) ?? Number.NaN
  t.equal(utcFromZone(wallTime('2024-07-01 12:00:00'), 'Europe/London'), '2024-07-01T11:00:00.000Z')
  t.equal(utcFromZone(wallTime('2024-01-01 12:00:00'), 'Europe/London'), '2024-01-01T12:00:00.000Z')
  t.equal(utcFromZone(wallTime('2008-11-11 16:10:00'), 'America/Los_Angeles'), '2008-11-12T00:10:00.000Z')
})

t.test('plain text: tags stripped, entities decoded once, whitespace collapsed', async (t) => {
  t.equal(plainText('Markup: Title <em>With</em> <b>Mark<sup>up</sup></b>'), 'Markup: Title With Markup')
  t.equal(plainText('Council&#039;s &laquo;vote&raquo; &amp; more'), 'Council\'s «vote» & more')
  t.equal(plainText('&lt;b&gt; is a tag'), '<b> is a tag', 'an escaped tag is text, not a tag to strip')
  t.equal(plainText('AT&amp;amp;T'), 'AT&amp;T', 'decoded once, not twice')
  t.equal(plainText('  one\n\ttwo&nbsp; <br/>three '), 'one two three')
  t.equal(plainText('a < b and c > d'), 'a < b and c > d')
})

t.test('autop: blank lines are paragraphs, single newlines breaks; blocks, <pre> and Gutenberg content are kept', async (t) => {
  t.equal(autop('One.\n\nTwo\nlines.'), '<p>One.</p>\n<p>Two<br />\nlines.</p>')
  t.equal(autop('Intro:\n<ul>\n<li>a</li>\n</ul>\nAfter.'), '<p>Intro:</p>\n<ul>\n<li>a</li>\n</ul>\n<p>After.</p>')
  t.equal(autop('<pre>code\n\nmore</pre>\n\nText'), '<pre>code\n\nmore</pre>\n<p>Text</p>')
  t.equal(autop('<!-- wp:paragraph -->\n<p>Block</p>\n<!-- /wp:paragraph -->'), '<!-- wp:paragraph -->\n<p>Block</p>\n<!-- /wp:paragraph -->')
  t.equal(autop('Windows\r\n\r\nline ends'), '<p>Windows</p>\n<p>line ends</p>')
  t.equal(autop(''), '')
})

t.test('slugs: the last path segment, percent-decoded, and only when it has a letter', async (t) => {
  t.equal(slugFromPath('/2011/10/nach-suzhou.html'), 'nach-suzhou')
  t.equal(slugFromPath('https://blog.example/2008/04/somewhat-brief-history.html?showComment=1#c2'), 'somewhat-brief-history')
  t.equal(slugFromPath('/p/about.html'), 'about')
  t.equal(slugFromPath('https://'), null)
  t.equal(sourceSlug('%ce%b3%ce%ad%cf%86%cf%85%cf%81%ce%b1'), 'γέφυρα')
  t.equal(sourceSlug('wp-global-styles-pub%2ftwentytwentyfour'), 'wp-global-styles-pub/twentytwentyfour')
  t.equal(sourceSlug('100%-sure'), '100%-sure', 'invalid percent-encoding is kept as written')
  t.equal(sourceSlug('2024'), null)
  t.equal(sourceSlug(''), null)
})

t.test('shortcodes are well-known names or closed ones, not any bracketed word', async (t) => {
  t.same(shortcodesIn('[gallery ids="1"] [caption id="a"]x[/caption] [sic] [1] [custom]y[/custom]'), ['gallery', 'caption', 'custom'])
  t.same(shortcodesIn('No shortcodes [here].'), [])
})

t.test('the input is closed when the reader stops early and when the file is malformed', async (t) => {
  const bytes = readFileSync(fixture('wxr-1.2-edge-cases.xml'))
  const closed: string[] = []
  async function * tracked (name: string, data: Buffer): AsyncGenerator<Buffer> {
    try {
      for (let start = 0; start < data.length; start += 512) yield data.subarray(start, start + 512)
    } finally {
      closed.push(name)
    }
  }
  const early = readImport(tracked('early', bytes), { now: '2026-01-01T00:00:00Z', timezone: 'UTC' })
  for await (const record of early.records) if (record.kind === 'article') break
  const damaged = Buffer.from(bytes.toString('utf8').replace('<title></title>', '<title>Salt & vinegar</title>'))
  const failing = readImport(tracked('malformed', damaged), { now: '2026-01-01T00:00:00Z', timezone: 'UTC' })
  await t.rejects(async () => { for await (const record of failing.records) void record }, { name: 'MalformedImportError' })
  const unknown = readImport(tracked('unrecognised', Buffer.from('{"hello": "world"}')), { now: '2026-01-01T00:00:00Z', timezone: 'UTC' })
  await t.rejects(unknown.format, { name: 'MalformedImportError' })
  t.same(closed.sort(), ['early', 'malformed', 'unrecognised'])
})

t.test('UTF-8 bytes decode the same however they are cut into chunks; a character cut short at the end is an error', async (t) => {
  const text = '<?xml version="1.0"?>\n<p>café — 中文 😀 naïve</p>\n'.repeat(3)
  const bytes = Buffer.concat([Buffer.from([0xEF, 0xBB, 0xBF]), Buffer.from(text)])
  const decoded = async (chunks: Buffer[]): Promise<string> => {
    let out = ''
    for await (const piece of decodeInput((async function * () { yield * chunks })())) out += piece
    return out
  }
  for (const size of [1, 2, 3, 5, 7, 1024]) {
    const chunks: Buffer[] = []
    for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size))
    t.equal(await decoded(chunks), text, `in chunks of ${size} bytes, the byte-order mark dropped`)
  }
  const cut = Buffer.concat([Buffer.from('<p>fine</p>\n'.repeat(100)), Buffer.from('😀').subarray(0, 2)])
  await t.rejects(decoded([cut.subarray(0, 600), cut.subarray(600)]), { name: 'MalformedImportError', message: /end of file in the middle of a utf-8 character/ })
  const bad = Buffer.concat([Buffer.from('<p>fine</p>\n'.repeat(100)), Buffer.from([0x61, 0xFF, 0x62])])
  await t.rejects(decoded([bad.subarray(0, 1100), bad.subarray(1100)]), { name: 'MalformedImportError', message: /not valid utf-8/ })
})

t.test('an image address is an absolute http(s) URL; its file name is its last segment, decoded', async (t) => {
  t.equal(imageAddress('\n   https://example.com/wp-content/uploads/2025/01/a%20b.jpg  ')?.href, 'https://example.com/wp-content/uploads/2025/01/a%20b.jpg', 'indentation trimmed')
  t.same([imageAddress('/wp-content/uploads/a.jpg'), imageAddress('ftp://example.com/a.jpg'), imageAddress('javascript:alert(1)'), imageAddress('')], [null, null, null, null], 'relative, other schemes and nothing are no address')
  t.equal(fileNameOf(new URL('https://example.com/2025/01/caf%C3%A9%20au%20lait.jpg')), 'café au lait.jpg')
  t.equal(fileNameOf(new URL('https://example.com/')), 'example.com', 'no path: the host')
})

t.test('an attachment is an image by its declared type, else by its extension', async (t) => {
  const url = (path: string): URL => new URL(`https://example.com${path}`)
  t.equal(notAnImage(url('/a.JPG'), ''), null)
  t.equal(notAnImage(url('/a.webp'), ''), null)
  t.equal(notAnImage(url('/a.mov'), ''), 'not an image the library takes (.mov)')
  t.equal(notAnImage(url('/download'), ''), 'not an image the library takes (no file extension)')
  t.equal(notAnImage(url('/download'), 'image/png'), null, 'the declared type wins over a missing extension')
  t.equal(notAnImage(url('/a.jpg'), 'application/pdf'), 'not an image the library takes (application/pdf)', 'and over a misleading one')
  t.equal(notAnImage(url('/logo.svg'), 'image/svg+xml'), 'not an image the library takes (image/svg+xml)', 'SVG is refused, as uploads are')
})
