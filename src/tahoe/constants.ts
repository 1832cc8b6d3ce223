/**
 * Names and defaults of Tahoe-LAFS's introducer protocol (allmydata/introducer/interfaces.py).
 */

export const INTRODUCER_SERVICE_INTERFACE = 'RIIntroducerPublisherAndSubscriberService_v2.tahoe.allmydata.com'
export const SUBSCRIBER_CLIENT_INTERFACE = 'RIIntroducerSubscriberClient_v2.tahoe.allmydata.com'
/** The key of `get_version()`'s answer that says an introducer speaks the signed (v2) protocol. */
export const INTRODUCER_V2 = 'http://allmydata.org/tahoe/protocols/introducer/v2'

/** Largest signed announcement message we accept, in bytes (Tahoe's are under 1 KiB). */
export const MAX_ANNOUNCEMENT_MSG_BYTES = 32 * 1024
/** Announcements one server or client keeps, over all services. */
export const DEFAULT_MAX_ANNOUNCEMENTS = 10_000
/** Longest service name accepted in an announcement or a subscription. */
export const MAX_SERVICE_NAME_LENGTH = 100
/** Service names one subscriber connection may subscribe to. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 16
/** Subscriber connections one server keeps. */
export const DEFAULT_MAX_SUBSCRIBERS = 1000
export const DEFAULT_RECONNECT_MIN_MS = 1000
export const DEFAULT_RECONNECT_MAX_MS = 60_000
/** Tahoe servers one gateway carries onto the grid, by default and at most. */
export const DEFAULT_MAX_CARRIED_SERVERS = 1000
export const MAX_CARRIED_SERVERS = 10_000
