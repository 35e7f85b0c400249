/**
 * The page's Content-Security-Policy and a base map on another server. The policy is a meta tag
 * in web/index.html; a browser will not widen it at run time, so the one other origin a force's
 * base map may come from is written into it when the app is built
 * (`PATROLCAST_BASEMAP_ORIGIN=https://maps.example.org npm run build`, vite.config.ts). The app
 * reads the policy back and refuses, with a message saying how to allow it, a style or tile URL
 * on any origin the policy does not allow, rather than let the browser block it silently.
 */

/** The environment variable naming the base map's origin at build time. */
export const ORIGIN_VARIABLE = 'PATROLCAST_BASEMAP_ORIGIN';

/** The sources of one directive of a policy (falling back to default-src), or null when neither is set. */
export function directiveSources(policy: string, directive: string): string[] | null {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  return directives.get(directive) ?? directives.get('default-src') ?? null;
}

/**
 * Whether a policy lets the page fetch from `origin` (connect-src: MapLibre fetches styles, tiles,
 * glyphs and sprites): the page's own origin under 'self', the origin listed, a scheme source
 * ("https:") or "*". No policy at all allows everything.
 */
export function originAllowed(policy: string | null, origin: string, pageOrigin: string): boolean {
  if (policy === null) return true;
  const sources = directiveSources(policy, 'connect-src');
  if (sources === null) return true;
  const protocol = `${new URL(origin).protocol}`;
  return sources.some((source) => {
    const s = source.toLowerCase().replace(/\/$/, '');
    if (s === "'self'") return origin === pageOrigin;
    return s === '*' || s === origin.toLowerCase() || s === protocol;
  });
}

/**
 * Why a base-map URL (a style JSON or a tile template) cannot be used under the page's policy, or
 * null when it can. Relative URLs are on the page's own origin.
 */
export function refusedBasemapUrl(url: string, baseUrl: string, policy: string | null): string | null {
  let target: URL;
  try {
    target = new URL(url, baseUrl);
  } catch {
    return `the base map URL "${url}" is not a URL`;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return `the base map URL "${url}" is not an http or https URL`;
  const page = new URL(baseUrl).origin;
  if (originAllowed(policy, target.origin, page)) return null;
  return (
    `the base map at ${target.href} is on another server, ${target.origin}, and this page's Content-Security-Policy ` +
    `lets it fetch from its own origin (${page}) only. To allow that one server, build the app with ` +
    `${ORIGIN_VARIABLE}=${target.origin} npm run build (docs/web.md, "Base map"), or serve the style from this page's own server.`
  );
}

/** The page's policy from its meta tag, or null. */
export function pagePolicy(doc: Document = document): string | null {
  return doc.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy" i]')?.content ?? null;
}
