import fc, { type Arbitrary } from 'fast-check'
import { animatedGif, photo, transparentPng, webpImage } from '../media.js'
import { awkwardStrings } from './schema-arbitraries.js'

// Forms (multipart/form-data) for the operations that take one: the media upload. A form is
// built from parts as a browser would send it (real small images, their text fields), then
// damaged: random bytes or a cut image as the file, unknown or odd fields, two files or none,
// a wrong boundary, a form cut short. Whatever arrives, the answer is a 2xx or a problem.

/** A form, ready to send, and what about it must be refused (null: it may be taken). */
export interface Form {
  payload: Buffer
  contentType: string
  mutation: string
  refusal: string | null
}

export interface SampleImage {
  name: string
  data: Buffer
}

/** Small images of each kind, made once before the cases (arbitraries are synchronous). */
export async function sampleImages (): Promise<SampleImage[]> {
  return [
    { name: 'photo.jpg', data: await photo(24, 16) },
    { name: 'badge.png', data: await transparentPng(12, 12) },
    { name: 'blink.gif', data: await animatedGif(8, 8, 2) },
    { name: 'square.webp', data: await webpImage(16, 16) }
  ]
}

interface Part {
  name: string
  value: string | Buffer
  /** Present for a file part. */
  fileName?: string
  type?: string
}

function encodeForm (parts: Part[], boundary: string): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.fileName === undefined ? '' : `; filename="${part.fileName}"`}`
    const type = part.type === undefined ? '' : `\r\ncontent-type: ${part.type}`
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: ${disposition}${type}\r\n\r\n`), Buffer.from(part.value), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

const textFields = ['alt', 'caption', 'credit']
// A name a header carries as written: a refusal can be predicted for it.
const plainName = /^[A-Za-z_][A-Za-z0-9_]*$/

interface FileChoice { data: Buffer, note: string, refused: boolean }

function fileArbitrary (images: SampleImage[]): Arbitrary<FileChoice> {
  const image = fc.constantFrom(...images)
  return fc.oneof(
    { weight: 4, arbitrary: image.map((sample): FileChoice => ({ data: sample.data, note: sample.name, refused: false })) },
    // Random bytes are never an image we take (even behind a chance signature they do not decode).
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): FileChoice => ({ data: Buffer.from(bytes), note: `${bytes.length} random bytes`, refused: true })) },
    { weight: 2, arbitrary: fc.tuple(image, fc.nat()).map(([sample, at]): FileChoice => ({ data: sample.data.subarray(0, at % sample.data.length), note: `${sample.name} cut at ${at % sample.data.length}`, refused: false })) },
    {
      weight: 1,
      arbitrary: fc.tuple(image, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([sample, at, byte]): FileChoice => {
        const data = Buffer.from(sample.data)
        data[at % data.length] = byte
        return { data, note: `${sample.name} with byte ${at % data.length} set to ${byte}`, refused: false }
      })
    },
    { weight: 1, arbitrary: fc.tuple(image, fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([sample, bytes]): FileChoice => ({ data: Buffer.concat([sample.data.subarray(0, 12), Buffer.from(bytes)]), note: `${sample.name}'s signature, then random bytes`, refused: false })) }
  )
}

const fieldName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...textFields) },
  { weight: 2, arbitrary: fc.constantFrom('title', 'file', 'Alt', '__proto__', 'constructor', 'alt[]', '', 'a"b', 'x'.repeat(300)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }
)
const fieldValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('The footbridge at dawn', 'Photo: Ana Reyes', '') },
  { weight: 2, arbitrary: fc.constantFrom(...awkwardStrings) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) }
)
const fileName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('photo.jpg', 'Photo of the Bridge.JPEG', 'image') },
  { weight: 2, arbitrary: fc.constantFrom('', '.jpg', '../../etc/passwd', '..\\..\\boot.ini', 'a"b.png', 'é.gif', 'x'.repeat(400) + '.png', '%00.jpg', 'photo.svg') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }
)
const declaredType = fc.constantFrom('image/jpeg', 'image/png', 'application/octet-stream', 'image/svg+xml', 'text/html', 'multipart/form-data')

interface Shape { parts: Part[], notes: string[], refusal: string | null }

function shapeArbitrary (images: SampleImage[]): Arbitrary<Shape> {
  return fc.record({
    file: fileArbitrary(images),
    fileField: fc.oneof({ weight: 8, arbitrary: fc.constant('file') }, { weight: 1, arbitrary: fc.constantFrom('image', 'File', 'upload') }),
    files: fc.constantFrom(1, 1, 1, 1, 1, 1, 0, 2, 3),
    fileName,
    type: declaredType,
    fields: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 4 }),
    fieldsFirst: fc.boolean()
  }).map(({ file, fileField, files, fileName, type, fields, fieldsFirst }): Shape => {
    const fileParts: Part[] = Array.from({ length: files }, () => ({ name: fileField, value: file.data, fileName, type }))
    const fieldParts: Part[] = fields.map(([name, value]) => ({ name, value }))
    const unknown = fields.map(([name]) => name).find((name) => !textFields.includes(name) && plainName.test(name))
    const refusal = files === 0
      ? 'no file'
      : fileField !== 'file'
        ? `the file in a part named ${fileField}`
        : files > 1
          ? `${files} files`
          : unknown !== undefined
            ? `an unknown field ${unknown}`
            : file.refused ? `${file.note} as the file` : null
    const notes = [`${files} × ${file.note} as ${fileField} (${JSON.stringify(fileName.slice(0, 40))}, ${type})`, ...fields.map(([name, value]) => `${name.slice(0, 20)}=${JSON.stringify(value.slice(0, 20))}`)]
    return { parts: fieldsFirst ? [...fieldParts, ...fileParts] : [...fileParts, ...fieldParts], notes, refusal }
  })
}

/** Forms, as sent or damaged on the wire. */
export function formArbitrary (images: SampleImage[]): Arbitrary<Form> {
  const boundary = '----datelinefuzz7MA4YWxkTrZu0gW'
  const contentType = `multipart/form-data; boundary=${boundary}`
  return fc.tuple(shapeArbitrary(images), fc.nat(), fc.constantFrom('as sent', 'as sent', 'as sent', 'as sent', 'as sent', 'wrong boundary', 'no boundary', 'cut short', 'bare line feeds'))
    .map(([shape, at, damage]): Form => {
      const payload = encodeForm(shape.parts, boundary)
      const mutation = `a form (${damage}): ${shape.notes.join(', ')}`
      switch (damage) {
        case 'wrong boundary': return { payload, contentType: 'multipart/form-data; boundary=not-the-boundary', mutation, refusal: 'a form whose boundary is not the one declared' }
        case 'no boundary': return { payload, contentType: 'multipart/form-data', mutation, refusal: 'a multipart content type without a boundary' }
        case 'cut short': {
          // Cut before the closing delimiter, so the form never ends.
          const cut = at % Math.max(1, payload.length - 8)
          return { payload: payload.subarray(0, cut), contentType, mutation: `${mutation}, cut at ${cut}`, refusal: 'a form cut short' }
        }
        case 'bare line feeds': return { payload: Buffer.from(payload.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'), contentType, mutation, refusal: null }
        default: return { payload, contentType, mutation, refusal: shape.refusal }
      }
    })
}
