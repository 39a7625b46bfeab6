import fp from 'fastify-plugin'
import { sweepOrphanFiles } from '../resources/media/service.js'

export interface MediaSweepOptions {
  /** How often files no image row names are looked for (default every six hours). */
  intervalMs: number
  /** How old such files must be to be removed: older than any upload still under way. */
  abandonedAfterMs: number
}

/**
 * Removes the files of uploads whose process died before their row was written (staged ones,
 * and those moved into place): soon after start-up, then every `intervalMs`.
 */
export default fp<MediaSweepOptions>(async function mediaSweepPlugin (app, options) {
  const sweep = async () => {
    await app.media.store.sweepStaging()
    const removed = await sweepOrphanFiles(app.store, app.media.store, options.abandonedAfterMs)
    if (removed > 0) app.log.info({ removed }, 'removed the files of images that no image names (uploads that died half way)')
  }
  const warn = (error: unknown) => { app.log.warn({ err: error }, 'could not sweep the media store') }
  // Not awaited: a large library is not read before the server may answer.
  app.addHook('onReady', async () => { sweep().catch(warn) })
  const sweeping = setInterval(() => { sweep().catch(warn) }, options.intervalMs).unref()
  app.addHook('onClose', () => { clearInterval(sweeping) })
}, { name: 'dateline-media-sweep', dependencies: ['dateline-db', 'dateline-media'] })
