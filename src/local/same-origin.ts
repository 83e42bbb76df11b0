/**
 * Which requests the local server answers. It has no sign-in, so a page of another site the user visits must not
 * drive it: a cross-site form or image names the right `Host` but carries that site's `Origin` (on every POST), and
 * a DNS-rebinding page, whose script may read the answers, names its own domain in `Host`. Only requests addressed
 * to a name the server is reached at, from its own pages or from no page at all, are answered.
 */

/** Addresses bound on every interface: a browser never names them, and the machine's own addresses stand for them. */
const WILDCARDS = new Set(['0.0.0.0', '[::]']);
/** This machine's own names, always served. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `address` as it appears in a `Host` header (an IPv6 literal in brackets), lower case. */
function hostName(address: string): string {
  const name = address.toLowerCase();
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/**
 * The `Host` values the server bound to `bound` on `port` answers to: the loopback names, the bound name or address
 * (LOCAL_HOST), and `interfaceAddresses` (the machine's addresses) when it is bound to all of them. Port 80 is also
 * accepted without the port, as browsers send it.
 */
export function servedHosts(bound: string, port: number, interfaceAddresses: readonly string[] = []): string[] {
  const name = hostName(bound);
  const own = WILDCARDS.has(name) ? interfaceAddresses.map(hostName) : [name];
  // The first is the one a refusal tells the user to open: the name LOCAL_HOST gives, else localhost.
  const first = WILDCARDS.has(name) || LOOPBACK.has(name) ? 'localhost' : name;
  const names = new Set([first, 'localhost', '127.0.0.1', '[::1]', ...own]);
  return [...names].flatMap((name) => (port === 80 ? [`${name}:80`, name] : [`${name}:${port}`]));
}

/** The headers the decision reads (as Node gives them: lower-case names). */
export interface OriginHeaders {
  host?: string | undefined;
  origin?: string | undefined;
}

/**
 * Why a request is refused (one line saying where to open the workspace), or null when its `Host` is one of
 * `served` and its `Origin`, if any, is the same origin (`http://` + that host). `Origin: null` (a sandboxed frame,
 * a file) is another origin too.
 */
export function foreignRequest(headers: OriginHeaders, served: readonly string[]): string | null {
  const host = headers.host?.toLowerCase();
  const home = `http://${served[0]}/`;
  if (!host || !served.includes(host)) return `Refused: this server answers requests addressed to it as ${served[0]} (or another local name) only: open ${home}.`;
  if (headers.origin !== undefined && headers.origin.toLowerCase() !== `http://${host}`) {
    return `Refused: a page of another site cannot call this server: open ${home}.`;
  }
  return null;
}
