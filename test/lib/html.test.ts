import t from 'tap'
import { renderMarkdown, sanitizeArticleHtml, sanitizeCommentHtml } from '../../src/lib/html.js'

t.test('NUL characters are dropped from bodies, as browsers drop them from HTML', async (t) => {
  t.equal(sanitizeArticleHtml('<p>before\0after</p>'), '<p>beforeafter</p>')
  t.equal(renderMarkdown('*a\0b*'), '<p><em>a\uFFFDb</em></p>', 'Markdown replaces it with U+FFFD, as CommonMark says')
  t.equal(sanitizeCommentHtml('a\0b'), '<p>ab</p>')
  t.equal(sanitizeCommentHtml('<em>a\0b</em>'), '<p><em>ab</em></p>')
})
