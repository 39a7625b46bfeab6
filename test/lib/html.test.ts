import t from 'tap'
import { htmlToText, renderMarkdown, sanitizeArticleHtml, sanitizeCommentHtml } from '../../src/lib/html.js'

t.test('NUL characters are dropped from bodies, as browsers drop them from HTML', async (t) => {
  t.equal(sanitizeArticleHtml('<p>before\0after</p>'), '<p>beforeafter</p>')
  t.equal(renderMarkdown('*a\0b*'), '<p><em>a\uFFFDb</em></p>', 'Markdown replaces it with U+FFFD, as CommonMark says')
  t.equal(sanitizeCommentHtml('a\0b'), '<p>ab</p>')
  t.equal(sanitizeCommentHtml('<em>a\0b</em>'), '<p><em>ab</em></p>')
})

t.test('the text of a sanitised body: blocks apart, inline runs together, captions and player fallbacks left out', async (t) => {
  const text = (html: string) => htmlToText(sanitizeArticleHtml(html))
  t.equal(text('<p>One</p><p>two<br>three</p><h2>Four</h2>five'), 'One two three Four five')
  t.equal(text('<p>in<em>line</em> <a href="https://example.org/">link</a>s</p>'), 'inline links')
  t.equal(text('<table><tr><td>cell</td><td>next</td></tr></table><ul><li>a</li><li>b</li></ul>'), 'cell next a b', 'table cells and list items are words apart')
  t.equal(text('<figure><img src="https://example.org/a.png" alt="x"><figcaption>Photo: <em>agency</em></figcaption>Said after</figure><p>Story</p>'),
    'Said after Story', 'the caption is left out, what follows it in the figure is not')
  t.equal(text('<iframe src="https://www.youtube.com/embed/x">Your browser cannot play this</iframe><p>Below</p>'), 'Below')
  t.equal(text('<p>Fish &amp; chips &lt;b&gt; &quot;q&quot; caf&eacute; &#x41;&#66;\u00a0and\n\t more</p>'), 'Fish & chips <b> "q" café AB and more')
  t.equal(text('<p title="a > b">x</p>'), 'x', 'an escaped > in an attribute is not the tag\'s end')
  t.equal(htmlToText(sanitizeCommentHtml('<p>A <strong>comment</strong></p><blockquote>quoted</blockquote>')), 'A comment quoted')
  t.equal(text('<p> </p>'), '')
})
