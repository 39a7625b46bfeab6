import fp from 'fastify-plugin'

export interface SiteSettings {
  /** IANA time zone the blog's calendar days are in. */
  timezone: string
  /** BCP 47 locale for human-readable labels such as day headers. */
  locale: string
  /** Readers' comments start `approved` instead of `pending`. */
  commentsAutoApprove: boolean
  /** Comments one client may post per minute on one article. */
  commentRateLimit: number
}

declare module 'fastify' {
  interface FastifyInstance {
    settings: SiteSettings
  }
}

export default fp<SiteSettings>(async function settingsPlugin (app, options) {
  app.decorate('settings', { ...options })
}, { name: 'dateline-settings' })
