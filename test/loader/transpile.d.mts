export function transpile (source: string, filename: string, options?: { inlineSourceMap?: boolean }): string
