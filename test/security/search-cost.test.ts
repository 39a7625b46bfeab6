import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { toFtsQuery } from '../../src/search/query.js'
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
