import type { Writable } from 'node:stream'
import { mediaLocationFor, type Config } from '../config.js'
import type { Store } from '../db/store.js'
import { defaultFetchTimeoutMs, defaultMaxRedirects, fetchExternalMedia, type FetchLimits, type FetchOutcome } from '../resources/media/fetch.js'
import { withMediaStore } from '../resources/media/stores.js'

// `dateline media fetch`: the files of imported images, downloaded into the media folder or
// bucket the server serves (the one `serve` uses for this configuration).

export interface MediaFetchCommand {
  allowPrivateTargets: boolean
  timeoutMs?: number
}

export interface MediaFetchSummary {
  fetched: number
  failed: number
}

function describeOutcome (outcome: FetchOutcome, done: number, total: number): string {
  const which = `[${done}/${total}] media ${outcome.id} ${outcome.fileName}`
  return outcome.fetched
    ? `${which}: fetched, ${outcome.width}×${outcome.height}, ${outcome.variants} variants\n`
    : `${which}: failed, ${outcome.reason} (${outcome.url}); left external\n`
}

/** Fetches every external item; a line per item goes to `status` (stderr) as it ends. */
export async function mediaFetchCommand (store: Store, config: Config, command: MediaFetchCommand, status: Writable): Promise<MediaFetchSummary> {
  const outcomes = await withMediaStore(mediaLocationFor(config), async (media) => {
    if (media === null) throw new Error('an in-memory database has no media folder: set DATELINE_MEDIA_DIR')
    return await fetchExternalMedia(store, media, limitsFor(config, command), (outcome, done, total) => status.write(describeOutcome(outcome, done, total)))
  })
  const fetched = outcomes.filter((outcome) => outcome.fetched).length
  return { fetched, failed: outcomes.length - fetched }
}

function limitsFor (config: Config, command: MediaFetchCommand): FetchLimits {
  return {
    maxBytes: config.mediaMaxBytes,
    maxPixels: config.mediaMaxPixels,
    timeoutMs: command.timeoutMs ?? defaultFetchTimeoutMs,
    maxRedirects: defaultMaxRedirects,
    allowPrivateTargets: command.allowPrivateTargets
  }
}

export function describeSummary (summary: MediaFetchSummary): string {
  if (summary.fetched + summary.failed === 0) return 'No external images to fetch.\n'
  return `Fetched ${summary.fetched} of ${summary.fetched + summary.failed} external images${summary.failed === 0 ? '' : `; ${summary.failed} failed and stay external (see above)`}.\n`
}
