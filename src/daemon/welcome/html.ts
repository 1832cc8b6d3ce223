/**
 * A small HTML builder for the welcome page's server-side rendering. Text is escaped
 * wherever it goes (element content and attribute values alike): the only way to put
 * markup in is another `h()`, so untrusted text from the network is always text.
 */

/** Markup built by `h()` (or a page's own constant markup through `raw`). */
export interface Html { readonly html: string }

export type Child = string | number | Html | null | undefined | false | Child[]

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => ENTITIES[c])
}

/** Markup this program wrote itself (never text from elsewhere). */
export function raw (html: string): Html {
  return { html }
}

function render (child: Child): string {
  if (child == null || child === false) return ''
  if (Array.isArray(child)) return child.map(render).join('')
  if (typeof child === 'object') return child.html
  return escapeHtml(String(child))
}

const NAME = /^[a-z][a-z0-9-]*$/
/** Elements with no content and no end tag. */
const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link'])

/**
 * An element: `attrs` values are escaped (true: a boolean attribute; null, undefined or
 * false: left out); children are escaped text or other elements.
 */
export function h (tag: string, attrs: Record<string, string | number | boolean | null | undefined> | null, ...children: Child[]): Html {
  if (!NAME.test(tag)) throw new Error(`not an element name: ${tag}`)
  let open = `<${tag}`
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (!NAME.test(name)) throw new Error(`not an attribute name: ${name}`)
    if (value == null || value === false) continue
    open += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`
  }
  if (VOID.has(tag)) {
    if (children.length > 0) throw new Error(`<${tag}> has no content`)
    return { html: `${open}>` }
  }
  return { html: `${open}>${render(children)}</${tag}>` }
}

/** Children joined, without an element around them. */
export function fragment (...children: Child[]): Html {
  return { html: render(children) }
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago" (or "in ..." for a time ahead). */
export function relativeTime (at: number, now: number): string {
  const ahead = at > now
  const s = Math.round(Math.abs(now - at) / 1000)
  const text = s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} d`
  return ahead ? `in ${text}` : `${text} ago`
}

/** Bytes in SI units, e.g. "2.5 GB". */
export function formatBytes (n: number | null): string {
  if (n == null) return 'not announced'
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** A count with thin separators: 20 004. */
export function formatCount (n: number): string {
  return n.toLocaleString('en-US').replace(/,/g, '\u202f')
}
