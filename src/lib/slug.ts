/**
 * A slug from free text: lower-case letters of any script and digits joined by hyphens,
 * accents folded (`Café` → `cafe`). Never only digits, so it can't be taken for an id.
 */
export function slugify (text: string, fallback: string, maxLength = 80): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase('en-US')
    .replace(/[^\p{Ll}\p{Lm}\p{Lo}\p{N}]+/gu, '-')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '')
  if (slug === '') return fallback
  return /[\p{Ll}\p{Lm}\p{Lo}]/u.test(slug) ? slug : `${fallback}-${slug}`
}

/** `slug`, or `slug-2`, `slug-3`, … : the first that `isTaken` says is free. */
export function uniqueSlug (slug: string, isTaken: (candidate: string) => boolean): string {
  if (!isTaken(slug)) return slug
  for (let n = 2; ; n++) {
    const candidate = `${slug}-${n}`
    if (!isTaken(candidate)) return candidate
  }
}

/** Whether a `{id}` path segment is an id (no leading zeros) rather than a slug. */
export function isIdInPath (idOrSlug: string): boolean {
  return /^[1-9]\d{0,14}$/.test(idOrSlug)
}
