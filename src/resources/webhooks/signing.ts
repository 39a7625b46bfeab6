import { createHmac, randomBytes } from 'node:crypto'

// Standard Webhooks (https://www.standardwebhooks.com): a secret is `whsec_` and base64 of
// its key; a delivery carries its message id, the time of the attempt and
// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. Receivers verify with any of the
// specification's libraries, which also refuse a timestamp more than five minutes off.

const secretPrefix = 'whsec_'

/** A new signing secret: 32 random bytes, as the specification writes them. */
export function newSigningSecret (): string {
  return `${secretPrefix}${randomBytes(32).toString('base64')}`
}

/**
 * The headers that sign `body` as message `messageId`, sent at `sentAt`: one signature per
 * secret, space-separated (while a rotated secret still signs, a receiver holding either
 * verifies).
 */
export function signatureHeaders (secrets: readonly string[], messageId: string, sentAt: Date, body: string): Record<string, string> {
  const timestamp = String(Math.floor(sentAt.getTime() / 1000))
  const signatures = secrets.map((secret) => {
    const key = Buffer.from(secret.slice(secretPrefix.length), 'base64')
    return `v1,${createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`
  })
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') }
}
