import type { LoggedChange } from '../../db/change-log.js'
import { changedResources, changeKinds } from '../../db/schema.js'
import { invalid } from '../../errors.js'
import { asLogged } from '../changes/service.js'

/**
 * A webhook's events are the change log's entries, named `<resource>.<kind>` (`article.published`,
 * `comment.approved`). A webhook subscribes to some by name, to a resource's with
 * `article.*`, or to all with `*`.
 */
export type EventName = string

export function eventOf (entry: LoggedChange): EventName {
  return `${entry.resource}.${entry.kind}`
}

const resources = new Set<string>(changedResources)
const kinds = new Set<string>(changeKinds)

/** Checks the event names a webhook is given; `field` names them in the problem. */
export function assertEventNames (events: readonly string[], field: string): void {
  events.forEach((event, index) => {
    if (event === '*') return
    const [resource = '', kind = ''] = event.split('.', 2)
    if (resources.has(resource) && (kind === '*' || kinds.has(kind)) && event === `${resource}.${kind}`) return
    throw invalid(`${field}.${index}`, `"${event}" is not an event: use "*", "<resource>.*" or "<resource>.<kind>", with a resource among ${changedResources.join(', ')} and a kind among ${changeKinds.join(', ')}`)
  })
}

/** Whether a webhook subscribed to `events` is told of `event`. */
export function subscribes (events: readonly string[], event: EventName): boolean {
  const resource = event.slice(0, event.indexOf('.'))
  return events.some((wanted) => wanted === '*' || wanted === event || wanted === `${resource}.*`)
}

/**
 * The body of a delivery (Standard Webhooks' `type`, `timestamp`, `data`): the entry as an
 * editor reads it in `GET /v1/changes`. A thin event: the receiver reads the resource for its
 * content, so a late retry never sends a stale copy and a secret field is never in a body.
 */
export function payloadOf (entry: LoggedChange): string {
  return JSON.stringify({ type: eventOf(entry), timestamp: entry.at, data: asLogged(entry) })
}
