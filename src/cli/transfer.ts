import { createWriteStream, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import cliProgress from 'cli-progress'
import { mediaLocationFor, type Config } from '../config.js'
import type { Store } from '../db/store.js'
import type { MediaLine } from '../resources/export/ndjson.js'
import { exportLines } from '../resources/export/service.js'
import { copyOriginal } from './media-backup.js'
import { importOriginals, type OriginalOutcome } from '../resources/import/media-originals.js'
import { MediaFolder, mediaFolderBeside, type MediaStore } from '../resources/media/storage.js'
import { withMediaStore } from '../resources/media/stores.js'
import { importFile } from '../resources/import/service.js'
import type { ImportReportBody } from '../resources/import/schemas.js'
import type { ImportFormat } from '../resources/import/records.js'

// `dateline import` and `dateline export`: the same services as POST /v1/import and
// GET /v1/export, with progress for people at a terminal.

export interface ImportCommand {
  file: string
  dryRun: boolean
  format?: ImportFormat
  /** Without a terminal, a progress line at most this often (ms). */
  progressEveryMs?: number
}

/**
 * Reports progress: a bar on a terminal; otherwise (logs, CI, a pipe) a plain line every few
 * seconds and one when the import is done, so a log shows it started, moved and finished.
 */
class Progress {
  readonly #bar: cliProgress.SingleBar | null
  readonly #started = Date.now()
  #lastLine = this.#started
  #bytes = 0
  #items = 0

  constructor (private readonly out: Writable & { isTTY?: boolean }, private readonly total: number, private readonly lineEveryMs = 2000) {
    // The time left is ours ({left}): cli-progress's {eta_formatted} prints the last two
    // letters of NULL or INF ("ETA LLs", "ETA NFs") before it has a rate.
    this.#bar = out.isTTY === true
      ? new cliProgress.SingleBar({
        stream: out as NodeJS.WriteStream,
        format: '{bar} {percentage}% | {mb} of {totalMb} MB | {items} items | {rate} MB/s | {left}',
        hideCursor: true
      }, cliProgress.Presets.shades_classic)
      : null
    this.#bar?.start(total, 0, this.#payload())
  }

  #payload (): Record<string, string> {
    const seconds = Math.max((Date.now() - this.#started) / 1000, 0.001)
    return {
      mb: megabytes(this.#bytes),
      totalMb: megabytes(this.total),
      items: this.#items.toLocaleString('en-US'),
      rate: megabytes(this.#bytes / seconds),
      left: timeLeft(this.total - this.#bytes, this.#bytes / seconds)
    }
  }

  bytes (count: number): void {
    this.#bytes += count
    this.#update()
  }

  items (count: number): void {
    this.#items = count
    this.#update()
  }

  #update (): void {
    if (this.#bar !== null) {
      this.#bar.update(this.#bytes, this.#payload())
      return
    }
    const now = Date.now()
    if (now - this.#lastLine < this.lineEveryMs) return
    this.#lastLine = now
    const { mb, totalMb, items, rate, left } = this.#payload()
    this.out.write(`import: read ${mb} of ${totalMb} MB (${Math.floor(100 * this.#bytes / Math.max(this.total, 1))} %), ${items} items, ${rate} MB/s, ${left}\n`)
  }

  /** The last line (without a terminal) once everything is written. */
  done (): void {
    if (this.#bar !== null) return
    const seconds = ((Date.now() - this.#started) / 1000).toFixed(1)
    this.out.write(`import: read ${megabytes(this.#bytes)} MB, ${this.#items.toLocaleString('en-US')} items in ${seconds} s\n`)
  }

  stop (): void {
    this.#bar?.stop()
  }
}

/** "12 s left", "3 min left", or "time left unknown" before there is a rate to go by. */
export function timeLeft (bytesLeft: number, bytesPerSecond: number): string {
  if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond)) return 'time left unknown'
  const seconds = Math.max(0, Math.ceil(bytesLeft / bytesPerSecond))
  if (seconds < 120) return `${seconds} s left`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min left`
  return `${(seconds / 3600).toFixed(1)} h left`
}

function megabytes (bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1)
}

/** The import's report, and what became of the originals beside a Dateline export (when there were any). */
export type CliImportReport = ImportReportBody & {
  originals?: { processed: number, failed: Array<{ id: number, fileName: string, reason: string }> }
}

function describeOriginal (outcome: OriginalOutcome): string {
  return outcome.processed
    ? `media ${outcome.id} ${outcome.fileName}: original processed, ${outcome.width}×${outcome.height}\n`
    : `media ${outcome.id} ${outcome.fileName}: original not taken, ${outcome.reason}; left external\n`
}

/**
 * After a Dateline export is imported (not a dry run), the originals `dateline export` put
 * beside it make its images uploads, in the media folder or bucket the server uses.
 */
async function importOriginalsBeside (store: Store, config: Config, file: string, status: Writable): Promise<CliImportReport['originals']> {
  const limits = { maxBytes: config.mediaMaxBytes, maxPixels: config.mediaMaxPixels }
  const outcomes = await withMediaStore(mediaLocationFor(config), async (media) =>
    media === null ? null : await importOriginals(store, media, file, limits, (outcome) => status.write(describeOriginal(outcome))))
  if (outcomes === null) return undefined
  return {
    processed: outcomes.filter((outcome) => outcome.processed).length,
    failed: outcomes.flatMap((outcome) => outcome.processed ? [] : [{ id: outcome.id, fileName: outcome.fileName, reason: outcome.reason }])
  }
}

/** Imports a file; progress goes to `status` (stderr), the report to the caller. */
export async function importCommand (store: Store, config: Config, command: ImportCommand, status: Writable & { isTTY?: boolean }): Promise<CliImportReport> {
  const size = statSync(command.file).size
  const progress = new Progress(status, size, command.progressEveryMs)
  let report: ImportReportBody
  try {
    report = await importFile(store, config, { file: command.file }, {
      dryRun: command.dryRun,
      onBytes: (bytes) => progress.bytes(bytes),
      ...(command.format === undefined ? {} : { format: command.format }),
      onRecord: (records) => progress.items(records)
    })
    progress.done()
  } finally {
    progress.stop()
  }
  if (report.dryRun || report.format !== 'ndjson') return report
  const originals = await importOriginalsBeside(store, config, command.file, status)
  return originals === undefined ? report : { ...report, originals }
}

/** A short summary of a report for people; the full report is JSON (`--json`). */
export function describeReport (report: CliImportReport): string {
  const lines = [`${report.dryRun ? 'Dry run (nothing written)' : 'Imported'}: ${report.format}`]
  for (const [resource, counts] of Object.entries(report.counts)) {
    lines.push(`  ${resource.padEnd(9)} ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.skipped} skipped`)
  }
  const reasons = new Map<string, number>()
  for (const skip of report.skipped) reasons.set(`${skip.resource}: ${skip.reason}`, (reasons.get(`${skip.resource}: ${skip.reason}`) ?? 0) + 1)
  if (reasons.size > 0) lines.push('Skipped:', ...[...reasons].map(([reason, count]) => `  ${count} × ${reason}`))
  if (report.notes.length > 0) lines.push(`Notes: ${report.notes.length} (see --json)`)
  if (report.originals !== undefined) {
    lines.push(`Images: ${report.originals.processed} original${report.originals.processed === 1 ? '' : 's'} from beside the file made uploads` +
      (report.originals.failed.length === 0 ? '' : `; ${report.originals.failed.length} not taken, left external (see above)`))
  }
  if (report.settings.length > 0) lines.push('Settings in the file (not applied):', ...report.settings.map((setting) => `  ${setting.name} = ${setting.value}`))
  return lines.join('\n') + '\n'
}

export interface ExportSummary {
  /** Where the originals went (`<file>.media`), and how many; null when exporting to stdout. */
  originals: { folder: string, count: number } | null
}

/** An upload's key, read from its media line as it passes (the line is our own JSON). */
function uploadKeyOf (line: string): string | null {
  if (!line.startsWith('{"type":"media"')) return null
  const media = JSON.parse(line) as MediaLine
  return media.key
}

/**
 * Writes the NDJSON export to `file`, each upload's original beside it as its line passes
 * (`<file>.media/{key}/original`, so memory stays flat however many there are); or the
 * NDJSON alone to `stdout` without a file. Uploads' `url`s are file: URLs into the media folder.
 */
export async function exportCommand (store: Store, config: Config, file: string | undefined, stdout: Writable): Promise<ExportSummary> {
  return await withMediaStore(mediaLocationFor(config), async (media) => await exportWith(store, config, media, file, stdout))
}

/** Where an export says an upload's files are: a file: URL into the media folder, or the bucket's s3: URL. */
function mediaBaseOf (media: MediaStore | null): string | null {
  if (media === null) return null
  return media instanceof MediaFolder ? `${pathToFileURL(media.root).href}/` : media.location
}

async function exportWith (store: Store, config: Config, media: MediaStore | null, file: string | undefined, stdout: Writable): Promise<ExportSummary> {
  const lines = exportLines(store, { settings: config, mediaBase: mediaBaseOf(media) })
  if (file === undefined) {
    for await (const line of lines) {
      if (!stdout.write(line)) await once(stdout, 'drain')
    }
    return { originals: null }
  }
  const folder = mediaFolderBeside(file)
  await rm(folder, { recursive: true, force: true })
  let count = 0
  async function * copyingOriginals (from: MediaStore | null): AsyncGenerator<string> {
    for await (const line of lines) {
      const key = from === null ? null : uploadKeyOf(line)
      if (from !== null && key !== null && await copyOriginal(from, folder, key)) count++
      yield line
    }
  }
  await pipeline(Readable.from(copyingOriginals(media)), createWriteStream(file))
  return { originals: { folder, count } }
}
