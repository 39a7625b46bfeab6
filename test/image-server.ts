import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TapLike } from './helper.js'
import { photo, transparentPng } from './media.js'

// A web server on 127.0.0.1 standing in for an old blog's image host, for `dateline media
// fetch`: real images made with sharp, a redirect, a 404, a file that is not an image, one
// that never answers, and a redirect loop. It counts the requests it gets.

export interface ImageServer {
  /** The address of a path on it. */
  url: (path: string) => string
  /** Paths requested so far, in order. */
  requests: string[]
}

/** The files it serves, by path, and what each is. */
export const served = {
  harbour: '/uploads/2024/05/harbour.jpg',
  badge: '/uploads/2024/05/badge.png',
  ferry: '/old/ferry.jpg',
  missing: '/uploads/2024/05/missing.jpg',
  notImage: '/uploads/2024/05/notes.jpg',
  slow: '/uploads/2024/05/slow.jpg',
  loop: '/uploads/2024/05/loop.jpg'
} as const

export async function imageServer (t: TapLike): Promise<ImageServer> {
  const files = new Map<string, { type: string, body: Buffer }>([
    [served.harbour, { type: 'image/jpeg', body: await photo(700, 500) }],
    [served.badge, { type: 'image/png', body: await transparentPng(300, 200) }],
    ['/uploads/2024/05/ferry.jpg', { type: 'image/jpeg', body: await photo(400, 300) }],
    // Declared an image, but text: the bytes decide.
    [served.notImage, { type: 'image/jpeg', body: Buffer.from('Meeting notes, not a picture.\n') }]
  ])
  const requests: string[] = []
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/'
    requests.push(path)
    const file = files.get(path)
    if (file !== undefined && path === '/uploads/2024/05/ferry.jpg') {
      // Sent without a length, as a stream: the size limit must count what arrives.
      response.writeHead(200, { 'content-type': file.type })
      response.write(file.body.subarray(0, 1024))
      response.end(file.body.subarray(1024))
    } else if (file !== undefined) {
      response.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length })
      response.end(file.body)
    } else if (path === served.ferry) {
      response.writeHead(301, { location: '/uploads/2024/05/ferry.jpg' })
      response.end()
    } else if (path === served.loop) {
      response.writeHead(302, { location: served.loop })
      response.end()
    } else if (path !== served.slow) {
      response.writeHead(404, { 'content-type': 'text/plain' })
      response.end('Not found')
    }
    // The slow one never answers: the fetch's deadline ends it.
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const { port } = server.address() as AddressInfo
  return { url: (path) => `http://127.0.0.1:${port}${path}`, requests }
}

/** A WXR 1.2 file: one author, one post whose featured image is the first address, and an attachment per address. */
export function wxrWithImages (addresses: string[]): string {
  const attachment = (address: string, index: number): string => `
  <item>
    <title><![CDATA[Image ${index + 1}]]></title>
    <dc:creator><![CDATA[edith]]></dc:creator>
    <excerpt:encoded><![CDATA[Caption ${index + 1}]]></excerpt:encoded>
    <wp:post_id>${100 + index}</wp:post_id>
    <wp:post_type><![CDATA[attachment]]></wp:post_type>
    <wp:status><![CDATA[inherit]]></wp:status>
    <wp:attachment_url><![CDATA[${address}]]></wp:attachment_url>
    <wp:postmeta><wp:meta_key><![CDATA[_wp_attachment_image_alt]]></wp:meta_key><wp:meta_value><![CDATA[Alt ${index + 1}]]></wp:meta_value></wp:postmeta>
  </item>`
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Harbour Notes</title>
  <link>https://harbour.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_blog_url>https://harbour.example</wp:base_blog_url>
  <wp:author><wp:author_login><![CDATA[edith]]></wp:author_login><wp:author_display_name><![CDATA[Edith Editor]]></wp:author_display_name></wp:author>
  <item>
    <title><![CDATA[The new ferry]]></title>
    <dc:creator><![CDATA[edith]]></dc:creator>
    <content:encoded><![CDATA[<p>It sails at dawn.</p>]]></content:encoded>
    <wp:post_id>1</wp:post_id>
    <wp:post_date_gmt><![CDATA[2024-05-11 07:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[the-new-ferry]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[100]]></wp:meta_value></wp:postmeta>
  </item>${addresses.map(attachment).join('')}
</channel>
</rss>
`
}
