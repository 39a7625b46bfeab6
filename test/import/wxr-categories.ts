/** The channel's categories as a WXR file writes them, read with a pattern (not the importer under test). */
export function categoriesIn (xml: string): Array<{ slug: string, parent: string, name: string, description: string }> {
  const field = (block: string, name: string): string => {
    const match = new RegExp(`<wp:${name}>\\s*(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))\\s*</wp:${name}>`).exec(block)
    return (match?.[1] ?? match?.[2] ?? '').trim()
  }
  return [...xml.matchAll(/<wp:category>([\s\S]*?)<\/wp:category>/g)].map(([, block]) => ({
    slug: field(block!, 'category_nicename'),
    parent: field(block!, 'category_parent'),
    name: field(block!, 'cat_name'),
    description: field(block!, 'category_description')
  }))
}
