import { type ImportRecord, MalformedImportError } from '../records.js'
import { entry2018 } from './blogger-2018.js'
import { BloggerFeedState } from './blogger-common.js'
import { legacyEntry } from './blogger-legacy.js'
import { type ReadContext, type RecordBatches, skip } from './context.js'
import { ns } from './namespaces.js'
import { describeName, readSubtrees, textOf, type XmlElement, type XmlName } from './xml-tree.js'

// A Blogger export: an Atom feed whose entries are posts, comments, pages, settings and the
// template. The feed's children are read one at a time; each entry is mapped by the schema it
// is written in (an entry with `blogger:type` is 2018, else legacy), so a file detected as one
// schema still reads if it mixes them.

export async function * readBloggerFeed (texts: AsyncIterable<string>, context: ReadContext): RecordBatches {
  const state = new BloggerFeedState(context)
  const batches = readSubtrees(texts, { checkRoot: atomFeedRoot, collect: (ancestors) => ancestors.length === 1 })
  for await (const children of batches) yield children.flatMap((child) => [...feedChild(child, state)])
}

function * feedChild (child: XmlElement, state: BloggerFeedState): Generator<ImportRecord> {
  if (child.uri !== ns.atom) return
  if (child.local === 'id') state.noteBlogId(child.text.trim())
  else if (child.local === 'entry') yield * feedEntry(child, state)
}

function atomFeedRoot (root: XmlName): void {
  if (root.uri !== ns.atom || root.local !== 'feed') {
    throw new MalformedImportError(`not a Blogger export: the document is a ${describeName(root)}, not an Atom feed`, 1)
  }
}

function * feedEntry (entry: XmlElement, state: BloggerFeedState): Generator<ImportRecord> {
  const id = textOf(entry, ns.atom, 'id')
  if (id === '') {
    yield skip('other', null, `entry without an id (line ${entry.line})`)
    return
  }
  state.noteBlogId(id)
  const schema2018 = entry.children.some((child) => child.uri === ns.blogger2018 && child.local === 'type')
  yield * (schema2018 ? entry2018(entry, id, state) : legacyEntry(entry, id, state))
}
