import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { commonWordFewestArticles, toFtsQuery } from '../../src/search/query.js'
import { build, createArticle, createAuthor, request } from '../helper.js'

// The cost of one search (issue 15, "one anonymous search freezes the server"): better-sqlite3
// is synchronous, so a search that takes seconds holds every other request. Whatever `q` holds,
// a search must cost about what an ordinary two-word search costs. Timings are compared with
// an ordinary search on the same app, with a generous factor: the machine is shared.

type Tap = Test

const sentence = 'The council said that the bridge over the river would open in the spring, and the mayor thanked the workers of the city. '

/** The attack run's corpus: 20 published articles of ~5 KB, common words on every line. */
async function corpus (t: Tap): Promise<FastifyInstance> {
  const app = await build(t, { searchRateLimit: 100_000 })
  const author = await createAuthor(app, t, { name: 'Ada Reporter' })
  for (let n = 1; n <= 20; n++) {
    await createArticle(app, t, {
      authorId: author.id,
      status: 'published',
      title: `The bridge story number ${n}`,
      body: `<p>${sentence.repeat(Math.ceil(5000 / sentence.length))}</p>`
    })
  }
  return app
}

/** Median milliseconds of `runs` searches for `q` (status checked on each). */
async function searchMs (app: FastifyInstance, t: Tap, q: string, runs = 3): Promise<number> {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    const response = await app.inject({ method: 'GET', url: `/v1/articles?q=${encodeURIComponent(q)}` })
    times.push(performance.now() - started)
    if (response.statusCode !== 200) t.fail(`q=${JSON.stringify(q.slice(0, 40))} answers ${response.statusCode}`, { body: response.body })
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!
}

const words = 'the council said that bridge over river would open in spring and mayor thanked workers of city'.split(' ')

// Each costs seconds to minutes on main; the longest fill the 500 characters q may have.
const hostile: Array<[string, string]> = [
  ['one word 30 times', 'the '.repeat(30)],
  ['one word 125 times', 'the '.repeat(125)],
  ['one word 125 times, the last still typed', 'the '.repeat(124) + 'the'],
  ['every word of the text', words.join(' ')],
  ['every word of the text, 7 times', `${words.join(' ')} `.repeat(7).slice(0, 500)],
  ['forms of one word', 'thank thanks thanked thanking thankful '.repeat(12).slice(0, 500)],
  ['phrases of one word', '"the the" '.repeat(50)],
  ['a phrase of every word', `"${'the council said that the bridge '.repeat(15)}"`.slice(0, 500)],
  ['exclusions', `the ${'-absent '.repeat(60)}`.slice(0, 500)],
  ['one-letter prefixes', 'the t t t t t t t t t t t t t t t t t t t t t t t t t t t t t t t t t t t t t'],
  ['a very long word', `the ${'x'.repeat(490)}`]
]

t.test('no q costs much more than an ordinary two-word search', async (t) => {
  const app = await corpus(t)
  await searchMs(app, t, 'council bridge')
  const ordinary = await searchMs(app, t, 'council bridge', 5)
  t.comment(`ordinary two-word search: ${ordinary.toFixed(1)} ms`)
  for (const [name, q] of hostile) {
    const spent = await searchMs(app, t, q)
    t.comment(`${name}: ${spent.toFixed(1)} ms`)
    t.ok(spent < ordinary * 10 + 150, `${name} (${q.length} characters): ${spent.toFixed(0)} ms, ordinary ${ordinary.toFixed(0)} ms`)
  }
  // A request sent meanwhile is answered at once: nothing is left running.
  const health = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(health.statusCode, 200)
})

t.test('repeated, surplus and overlong terms are dropped before SQLite sees them', async (t) => {
  const repeated = toFtsQuery('the the THE Thé the ')
  t.equal(repeated.words, '"the"', 'one term however often, in whatever case or accent, it is repeated')
  const forms = toFtsQuery('thank thanks thanked ')
  t.equal(forms.words, '"thank"', 'forms of one word are one term (the index is stemmed)')
  const many = toFtsQuery(`${words.join(' ')} `)
  t.equal(many.words, '"the" "council" "said" "that" "bridge" "over" "river" "would"', 'the first 8 distinct words count')
  const phrase = toFtsQuery('"a b c d e f g h i j k l"')
  t.equal(phrase.words, '"a b c d e f g h"', 'a phrase counts each of its words')
  const excluded = toFtsQuery(`bridge ${'-x -y -z -w '.repeat(5)}`)
  t.equal(excluded.words, '"bridge" NOT "x" NOT "y" NOT "z" NOT "w"', 'exclusions count too, once each')
  t.equal(toFtsQuery('the t').typing, null, 'a one-letter word is not a prefix (it would match a whole alphabet of words)')
  t.equal(toFtsQuery('the th').typing, '"th"*', 'two letters are (an index of 2-letter prefixes answers it)')
})

t.test('a huge article does not make a common word slow', async (t) => {
  const app = await build(t, { searchRateLimit: 100_000 })
  const author = await createAuthor(app, t, { name: 'Ada Reporter' })
  await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Bridge notes', body: `<p>bridge ${'the '.repeat(20_000)}</p>` })
  await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Council bridge', body: `<p>${sentence}</p>` })
  await searchMs(app, t, 'bridge')
  const ordinary = await searchMs(app, t, 'bridge')
  const common = await searchMs(app, t, 'the')
  t.comment(`"bridge": ${ordinary.toFixed(1)} ms, "the" (20,000 times in one article): ${common.toFixed(1)} ms`)
  t.ok(common < ordinary * 10 + 150, `"the" takes ${common.toFixed(0)} ms, "bridge" ${ordinary.toFixed(0)} ms`)
  const response = await request(app, t, { method: 'GET', url: '/v1/articles?q=the' })
  t.match(response.json().data[0].snippet, /<mark>the<\/mark>/, 'the snippet still marks the word')
})

/**
 * A blog large enough for word frequencies to count: every article holds the sentence's words,
 * every 10th also "harbour", every 15th "railway" (so 1 in 30 both), one in 50 "zeppelin".
 */
async function largerCorpus (t: Tap, count = commonWordFewestArticles + 40): Promise<{ app: FastifyInstance, ids: number[], authorId: number }> {
  const app = await build(t, { searchRateLimit: 100_000 })
  const author = await createAuthor(app, t, { name: 'Ada Reporter' })
  const ids: number[] = []
  for (let n = 1; n <= count; n++) {
    const topics = [n % 10 === 0 ? 'harbour' : '', n % 15 === 0 ? 'railway' : '', n % 50 === 0 ? 'zeppelin' : ''].join(' ')
    const article = await createArticle(app, t, {
      authorId: author.id,
      status: 'published',
      title: `Story number ${n}`,
      body: `<p>${sentence.repeat(8)} ${topics}</p>`
    })
    ids.push(article.id)
  }
  return { app, ids, authorId: author.id }
}

async function foundIds (app: FastifyInstance, t: Tap, q: string): Promise<number[]> {
  const response = await request(app, t, { method: 'GET', url: `/v1/articles?limit=100&q=${encodeURIComponent(q)}` })
  return response.json().data.map((item: { id: number }) => item.id)
}

t.test('the worst q matches on one word, unscored: what a one-word search costs', async (t) => {
  // Its cost is measured by bench/search.mjs (the "worst q" kind, against two common words in
  // the same run); here, what makes it cheap: the 8 words every article holds come down to one,
  // and its hits are not scored (newest written first), so no position list is read for bm25.
  const { app, ids } = await largerCorpus(t)
  const worst = `${words.slice(0, 8).join(' ')} `.repeat(12).slice(0, 480)
  const response = await request(app, t, { method: 'GET', url: `/v1/articles?limit=100&q=${encodeURIComponent(worst)}` })
  t.equal(response.json().meta.total, ids.length, 'every article holds the word it matches on')
  t.same(response.json().data.map((item: { id: number }) => item.id), ids.slice(-100).reverse(), 'newest written first: unscored')
})

t.test('a word every article holds neither narrows nor reorders what a rarer word finds', async (t) => {
  const { app, ids, authorId } = await largerCorpus(t)
  const rareAlone = await foundIds(app, t, 'railway ')
  t.equal(rareAlone.length, ids.filter((_, i) => (i + 1) % 15 === 0).length, 'the rare word alone finds its articles')
  t.same(await foundIds(app, t, 'the railway '), rareAlone, 'with a universal word: the same articles, in the same order')
  t.same(await foundIds(app, t, 'railway council the '), rareAlone, 'with several, in any place')
  const both = await foundIds(app, t, 'harbour railway ')
  t.same(await foundIds(app, t, 'the harbour said railway '), both, 'two rare words with universal ones: what the two find')

  const loner = await createArticle(app, t, { authorId, status: 'published', title: 'Zeppelin', body: '<p>A zeppelin over Bergen.</p>' })
  const zeppelins = await foundIds(app, t, 'zeppelin ')
  t.ok(zeppelins.includes(loner.id))
  t.same(await foundIds(app, t, 'the zeppelin '), zeppelins, 'an article without the universal word is not hidden by it')

  const all = await request(app, t, { method: 'GET', url: '/v1/articles?q=the%20council%20said%20' })
  t.equal(all.json().meta.total, ids.length, 'only universal words: the rarest of them still matches, every article holding it')
  t.same(all.json().data.slice(0, 3).map((item: { id: number }) => item.id), ids.slice(-3).reverse(), 'unranked (bm25 gives such words no weight): newest written first')
  t.match(all.json().data[0].snippet, /<mark>the<\/mark> <mark>council<\/mark> <mark>said<\/mark>/i, 'the snippet marks every word typed, left out of the match or not')
  t.same(await foundIds(app, t, '"the zeppelin" '), [], 'a phrase of common words still counts whole')
  t.same(await foundIds(app, t, 'the -council '), [], 'an exclusion still counts')
})

t.test('which words are left out of the match', async (t) => {
  const shares = (stems: string[]): Map<string, number> => new Map(stems.map((stem) => [stem, ({ the: 1, of: 0.99, council: 0.85, bridg: 0.3 } as Record<string, number>)[stem] ?? 0.01]))
  t.equal(toFtsQuery('the bridge of ', 'q', shares).words, '"bridge"', 'common words go while a rarer one stays')
  t.equal(toFtsQuery('the bridge of ', 'q', shares).ranked, true)
  t.equal(toFtsQuery('the of council ', 'q', shares).words, '"council"', 'all common: the rarest of them stays')
  t.equal(toFtsQuery('the of council ', 'q', shares).ranked, false, 'and the hits are not scored by it')
  t.equal(toFtsQuery('the "of the" ', 'q', shares).words, '"of the"', 'a phrase is a rarer term')
  t.equal(toFtsQuery('the -bridge ', 'q', shares).words, '"the" NOT "bridge"', 'an exclusion is no term to match on')
  const typing = toFtsQuery('the of brid', 'q', shares)
  t.same([typing.words, typing.typing], ['"of"', '"brid"*'], 'the typed prefix stays, with the rarest whole word')
  t.same(typing.marked.map((term) => term.words[0]), ['the', 'of', 'brid'], 'snippets mark them all')
  t.equal(toFtsQuery('the of council ').words, '"the" "of" "council"', 'without frequencies, every word counts')
})
