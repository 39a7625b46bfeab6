export const bundledEntryPoints: string[]
export function prebundled (): Map<string, string>
