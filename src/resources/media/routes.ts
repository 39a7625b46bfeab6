import multipart, { type MultipartFile } from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorCodes, type FastifyRequest } from 'fastify'
import { invalid, onField, PayloadTooLarge, UnreadableImage, UnsupportedImage } from '../../errors.js'
import { pageBody, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IfMatchHeaders, notModified, problems, ref } from '../../schemas.js'
import { ImageRefused } from './images.js'
import { DeleteMediaQuery, Media, MediaList, MediaListQuery, MediaParams, MediaPatch, MediaUpload, UploadFields, type UploadFieldsBody } from './schemas.js'
import * as service from './service.js'

const tags = ['media']

// The text fields an upload may carry, checked against their schemas (a PATCH's: schemas.ts)
// by the handler, as the form's parts arrive after validation has run.
const uploadFields = new Map(Object.entries(UploadFields.properties).map(([name, schema]) => {
  const { maxLength, pattern } = schema as unknown as { maxLength: number, pattern: string }
  return [name as keyof UploadFieldsBody, { maxLength, pattern: new RegExp(pattern) }]
}))

function uploadField (name: string, value: unknown): [keyof UploadFieldsBody, string] {
  const field = name as keyof UploadFieldsBody
  const rules = uploadFields.get(field)
  if (rules === undefined) throw invalid(`body.${name}`, 'is not a known field')
  if (typeof value !== 'string' || !rules.pattern.test(value)) throw invalid(`body.${name}`, 'must be plain text')
  if (value.length > rules.maxLength) throw invalid(`body.${name}`, `must NOT have more than ${rules.maxLength} characters`)
  return [field, value]
}

/** Reads the parts as they arrive: the text fields, and the one file, held in memory up to the limit. */
async function readUpload (request: FastifyRequest, maxBytes: number): Promise<{ file: MultipartFile, data: Buffer, fields: UploadFieldsBody }> {
  // A request without a body has no content type for a parser to refuse: the same 415 as a body that is not a form.
  if (!request.isMultipart()) throw new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE()
  const fields: UploadFieldsBody = {}
  let upload: { file: MultipartFile, data: Buffer } | undefined
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      const [name, value] = uploadField(part.fieldname, part.value)
      fields[name] = value
      continue
    }
    if (part.fieldname !== 'file') throw invalid(`body.${part.fieldname}`, 'is not a known field: the image goes in `file`')
    if (upload !== undefined) throw invalid('body.file', 'must be one file')
    const data = await part.toBuffer().catch((error: { code?: string }) => {
      if (error.code === 'FST_REQ_FILE_TOO_LARGE') throw onField(new PayloadTooLarge(`body.file is larger than the ${maxBytes} bytes an upload may be`), 'body.file', `must be at most ${maxBytes} bytes`)
      throw error
    })
    if (data.length === 0) throw invalid('body.file', 'is empty: the file has no bytes')
    upload = { file: part, data }
  }
  if (upload === undefined) throw invalid('body.file', 'is required: send the image as a multipart/form-data part named `file`')
  return { ...upload, fields }
}

/**
 * The form, read. What the parser throws without a status (no boundary, a form cut short, a
 * malformed part header) is the client's form, not our fault: a 400 naming the body. Nothing
 * else happens while reading (no disk, no database), so nothing of ours is mistaken for it.
 */
async function readForm (request: FastifyRequest, maxBytes: number): ReturnType<typeof readUpload> {
  try {
    return await readUpload(request, maxBytes)
  } catch (error) {
    if (error instanceof Error && (error as { statusCode?: number }).statusCode === undefined) {
      throw invalid('body', `is not a readable multipart/form-data form (${error.message.split('\n')[0]})`)
    }
    throw error
  }
}

/** The problem for an image refused: not one we take (415), too many pixels (413), or damaged (422). */
function refusal (error: ImageRefused): Error {
  const message = error.message
  switch (error.reason) {
    case 'format': return onField(new UnsupportedImage(`body.file ${message}`), 'body.file', message)
    case 'pixels': return onField(new PayloadTooLarge(`body.file ${message}`), 'body.file', message)
    case 'damaged': return onField(new UnreadableImage(`body.file ${message}`), 'body.file', message)
  }
}

/** The upload, in a context of its own: multipart/form-data is the only body it parses (415 otherwise). */
const uploadRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { maxBytes, uploadsPerWindow } = app.media.options
  app.removeAllContentTypeParsers()
  // The parts are read by the handler as they arrive; the schema has nothing to check.
  app.addHook('preValidation', async (request) => { request.body = {} })
  await app.register(multipart, {
    // One file and its few text fields; anything more is refused as it arrives. A second file
    // is let through the limit so that readUpload refuses it with a 400 naming body.file.
    limits: { fileSize: maxBytes, files: 2, fields: 3, fieldSize: 4 * 1024, parts: 4, headerPairs: 100 }
  })

  app.post('', {
    preHandler: app.requireRole('author'),
    // Above the JSON limit, so the body is judged by its progress (plugins/request-timeouts.ts).
    bodyLimit: maxBytes + 64 * 1024,
    config: { rateLimit: { max: uploadsPerWindow, timeWindow: app.settings.rateLimitWindowMs } },
    schema: {
      tags,
      operationId: 'uploadMedia',
      summary: 'Upload an image',
      description: 'Authors and up, as `multipart/form-data`: the image in `file` and, optionally, `alt`, `caption` and `credit`. ' +
        'JPEG, PNG, WebP, AVIF and GIF are taken, recognised by their content whatever the file is called (SVG never: it can carry scripts: 415). ' +
        `An image may be ${(maxBytes / 1024 / 1024).toFixed(0)} MiB and ${(app.media.options.maxPixels / 1e6).toFixed(0)} megapixels at most (413); a damaged or truncated one is a 422. ` +
        'Its EXIF orientation is applied and its metadata (EXIF, GPS, XMP) stripped from every variant; the original is kept but never served. ' +
        'Variants are made at widths from 320 to 2048 pixels (none wider than the image) in its own format family and WebP and AVIF. ' +
        'Uploads are processed one at a time: when several wait, a 503 with `Retry-After`.',
      security: writeSecurity,
      body: { content: { 'multipart/form-data': { schema: ref(MediaUpload) } } },
      response: { 201: answer(Media, 'created', 'The new image'), ...problems(400, 401, 403, 413, 415, 422, 503) }
    }
  }, async (request, reply) => {
    const { file, data, fields } = await readForm(request, maxBytes)
    let image
    try {
      image = await app.media.process(data, file.filename)
    } catch (error) {
      if (error instanceof ImageRefused) throw refusal(error)
      throw error
    }
    const { media, version } = await service.createOne(app.store, app.media.store, { fileName: file.filename.slice(0, 255), original: data, image, fields }, request.principal!)
    reply.resourceVersion = version
    return reply.code(201).header('location', `/v1/media/${media.id}`).send(media)
  })
}

const mediaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(uploadRoute)

  app.get('', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'listMedia',
      summary: 'List and search the media library',
      description: 'Authors and up, newest first. `q` finds words in the alt text, caption, credit and file name.',
      security: writeSecurity,
      querystring: MediaListQuery,
      response: { 200: answer(MediaList, 'list', 'A page of images'), 304: notModified, ...problems(400, 401, 403) }
    }
  }, async (request, reply) => {
    return pageBody(reply, await service.list(app.store, request.query))
  })

  app.get('/:id', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'getMedia',
      summary: 'Get an image',
      description: 'Authors and up: an image with its metadata and every variant served.',
      security: writeSecurity,
      params: MediaParams,
      response: { 200: answer(Media, 'single', 'The image'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const { media, version } = await service.findOne(app.store, request.params.id)
    reply.resourceVersion = version
    return media
  })

  app.patch('/:id', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'updateMedia',
      summary: 'Change an image\'s alt text, caption, credit or focal point',
      description: 'Authors change only the images they uploaded (403 otherwise); editors and admins, any. Articles embedding it show the change. Send the `ETag` you read as `If-Match` to refuse lost updates (412).',
      security: writeSecurity,
      params: MediaParams,
      headers: IfMatchHeaders,
      body: ref(MediaPatch),
      response: { 200: answer(Media, 'single', 'The changed image'), ...problems(400, 401, 403, 404, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { media, version } = await service.updateOne(app.store, request.params.id, request.body, request.principal!, request.headers['if-match'])
    reply.resourceVersion = version
    return media
  })

  app.delete('/:id', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'deleteMedia',
      summary: 'Delete an image and its files',
      description: 'Authors delete only the images they uploaded. An image an article uses (featured or inline) is refused with a 409 naming the articles; `force=true` (editors and admins) takes it off them first.',
      security: writeSecurity,
      params: MediaParams,
      querystring: DeleteMediaQuery,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, app.media.store, request.params.id, request.query.force ?? false, request.principal!, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}

export default mediaRoutes
