import fp from 'fastify-plugin'
import type { SiteSettings } from '../lib/site-settings.js'

declare module 'fastify' {
  interface FastifyInstance {
    settings: SiteSettings
  }
}

export default fp<SiteSettings>(async function settingsPlugin (app, options) {
  app.decorate('settings', { ...options })
}, { name: 'dateline-settings' })
