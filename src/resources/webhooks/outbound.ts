import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Sends one webhook delivery: a POST to an address an admin typed, from inside the network
 * the server runs in. So (SSRF): only to public addresses unless the setting allows others;
 * the name is resolved once, every address it has is checked, and the connection goes to a
 * checked address (a second lookup could answer otherwise: DNS rebinding); no redirect is
 * followed; the whole exchange has a deadline; and only the start of the answer is read.
 */

export interface OutboundLimits {
  /** The whole exchange, connection to last byte read. */
  timeoutMs: number
  /** Private, loopback and link-local addresses too (development, tests). */
  allowPrivateTargets: boolean
}

/** What the receiver answered: its status and the start of its body, as text. */
export interface ReceiverAnswer {
  status: number
  excerpt: string
}

/** The answer's bytes kept for the delivery log. */
export const excerptBytes = 1024
/** Read at most this much of an answer, then hang up: a receiver cannot make us read a stream. */
const readLimitBytes = 64 * 1024

/** A target the delivery may not go to, or could not reach. Its message is shown in the delivery log. */
export class DeliveryFailed extends Error {}

/** Whether `address` is one anyone could reach on the internet: not private, loopback, link-local, multicast or reserved. */
export function isPublicAddress (address: string): boolean {
  let parsed = ipaddr.parse(address)
  if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) parsed = parsed.toIPv4Address()
  return parsed.range() === 'unicast'
}

/** The setting that allows private targets, named in a refusal; the media fetch names its own flag. */
const webhooksSetting = 'DATELINE_WEBHOOKS_ALLOW_PRIVATE'

function refusal (host: string, address: string, allowedBy: string): DeliveryFailed {
  return new DeliveryFailed(`${host} is ${address}, not a public address (${allowedBy} allows it)`)
}

/** A lookup for `http.request` that answers only addresses the request may connect to. */
export function checkedLookup (allowPrivateTargets: boolean, allowedBy = webhooksSetting): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) {
        callback(error, '', 0)
        return
      }
      const refused = allowPrivateTargets ? undefined : addresses.find(({ address }) => !isPublicAddress(address))
      if (refused !== undefined) callback(refusal(hostname, refused.address, allowedBy), '', 0)
      else if (options.all === true) callback(null, addresses)
      else callback(null, addresses[0]!.address, addresses[0]!.family)
    })
  }
}

/**
 * Why the address written in a URL may not be a target, or null when it may (or the URL has a
 * name, which is checked where it resolves). Such an address is connected to without a
 * lookup, so it is checked before each attempt, and when the webhook is saved.
 */
export function addressRefusal (url: URL, allowPrivateTargets: boolean, allowedBy = webhooksSetting): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (allowPrivateTargets || isIP(host) === 0 || isPublicAddress(host)) return null
  return refusal(url.hostname, host, allowedBy).message
}

/** The status and the first `excerptBytes` of the body, reading no more than `readLimitBytes`. */
async function readAnswer (response: IncomingMessage): Promise<ReceiverAnswer> {
  const kept: Buffer[] = []
  let read = 0
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (read < excerptBytes) kept.push(chunk.subarray(0, excerptBytes - read))
    read += chunk.length
    if (read >= readLimitBytes) break
  }
  return { status: response.statusCode ?? 0, excerpt: Buffer.concat(kept).toString('utf8') }
}

function describe (error: unknown, timeoutMs: number): DeliveryFailed {
  if (error instanceof DeliveryFailed) return error
  const { name, code, message } = error as { name?: string, code?: string, message?: string }
  if (name === 'AbortError' || name === 'TimeoutError') return new DeliveryFailed(`no answer within ${timeoutMs} ms`)
  return new DeliveryFailed(code === undefined ? String(message) : `${code}: ${String(message)}`)
}

/** POSTs `body` to `url`; answers what the receiver said, or throws DeliveryFailed. */
export async function post (url: URL, body: string, headers: Record<string, string>, limits: OutboundLimits, signal?: AbortSignal): Promise<ReceiverAnswer> {
  const refused = addressRefusal(url, limits.allowPrivateTargets)
  if (refused !== null) throw new DeliveryFailed(refused)
  const deadline = AbortSignal.timeout(limits.timeoutMs)
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  try {
    return await new Promise<ReceiverAnswer>((resolve, reject) => {
      const outgoing = request(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Dateline-Webhooks' },
        lookup: checkedLookup(limits.allowPrivateTargets),
        // One connection per attempt: a pooled one could have been made to an address checked long ago.
        agent: false,
        signal: signal === undefined ? deadline : AbortSignal.any([deadline, signal])
      }, (response) => { readAnswer(response).then(resolve, reject) })
      outgoing.on('error', reject)
      outgoing.end(body)
    })
  } catch (error) {
    throw describe(error, limits.timeoutMs)
  }
}
