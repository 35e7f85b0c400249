/**
 * The page's Content-Security-Policy and a base map on another server: the policy written at
 * build time (vite.config.ts basemapOrigin, PATROLCAST_BASEMAP_ORIGIN) and the app's reading of
 * it (web/csp.ts), which refuses a style or tile URL on an origin the policy does not allow.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { basemapOrigin } from '../../vite.config.ts';
import { directiveSources, originAllowed, refusedBasemapUrl } from '../../web/csp.ts';

const INDEX = readFileSync('web/index.html', 'utf8');
const PAGE = 'https://patrol.example.org/app/index.html';

/** The policy of web/index.html as built with `origin` allowed (or none). */
function builtPolicy(origin?: string): string {
  const plugin = basemapOrigin(origin);
  const html = (plugin.transformIndexHtml as (html: string) => string)(INDEX);
  return /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1]!;
}

describe('the Content-Security-Policy of the built page', () => {
  it('allows only the page itself without PATROLCAST_BASEMAP_ORIGIN', () => {
    const policy = builtPolicy(undefined);
    expect(directiveSources(policy, 'connect-src')).toEqual(["'self'", 'blob:', 'data:']);
    expect(directiveSources(policy, 'img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(builtPolicy('')).toBe(policy);
  });

  it('adds the one origin given to connect-src and img-src, and nowhere else', () => {
    const plain = builtPolicy(undefined);
    const policy = builtPolicy('https://maps.example.org/');
    expect(directiveSources(policy, 'connect-src')).toEqual(["'self'", 'https://maps.example.org', 'blob:', 'data:']);
    expect(directiveSources(policy, 'img-src')).toEqual(["'self'", 'https://maps.example.org', 'data:', 'blob:']);
    expect(policy.replaceAll(' https://maps.example.org', '')).toBe(plain);
    expect(directiveSources(policy, 'script-src')).toEqual(["'self'"]);
  });

  it('stops the build on anything but an origin', () => {
    for (const bad of ['maps.example.org', 'https://maps.example.org/tiles', 'ftp://maps.example.org', 'https://maps.example.org x']) {
      expect(() => basemapOrigin(bad), bad).toThrow(/^PATROLCAST_BASEMAP_ORIGIN must be an origin such as https:\/\/maps\.example\.org/);
    }
  });
});

describe("the app's reading of the policy", () => {
  const plain = builtPolicy(undefined);
  const widened = builtPolicy('https://maps.example.org:8443');

  it('allows the page’s own origin, and another only when the policy lists it', () => {
    expect(originAllowed(plain, 'https://patrol.example.org', 'https://patrol.example.org')).toBe(true);
    expect(originAllowed(plain, 'https://maps.example.org:8443', 'https://patrol.example.org')).toBe(false);
    expect(originAllowed(widened, 'https://maps.example.org:8443', 'https://patrol.example.org')).toBe(true);
    // Another port or host is another origin.
    expect(originAllowed(widened, 'https://maps.example.org', 'https://patrol.example.org')).toBe(false);
    expect(originAllowed("default-src 'self' https:", 'https://any.example.org', 'https://patrol.example.org')).toBe(true);
    expect(originAllowed(null, 'https://any.example.org', 'https://patrol.example.org')).toBe(true);
  });

  it('refuses a style URL on another origin, naming it and the build that would allow it', () => {
    expect(refusedBasemapUrl('/style.json', PAGE, plain)).toBeNull();
    expect(refusedBasemapUrl('styles/basemap.json', PAGE, plain)).toBeNull();
    expect(refusedBasemapUrl('https://maps.example.org:8443/style.json', PAGE, widened)).toBeNull();
    expect(refusedBasemapUrl('https://maps.example.org:8443/style.json', PAGE, plain)).toBe(
      "the base map at https://maps.example.org:8443/style.json is on another server, https://maps.example.org:8443, and this page's " +
        'Content-Security-Policy lets it fetch from its own origin (https://patrol.example.org) only. To allow that one server, build the app ' +
        'with PATROLCAST_BASEMAP_ORIGIN=https://maps.example.org:8443 npm run build (docs/web.md, "Base map"), or serve the style from this ' +
        "page's own server.",
    );
    expect(refusedBasemapUrl('https://maps.example.org/{z}/{x}/{y}.png', PAGE, widened)).toContain(
      'another server, https://maps.example.org,',
    );
    expect(refusedBasemapUrl('javascript:alert(1)', PAGE, plain)).toBe(
      'the base map URL "javascript:alert(1)" is not an http or https URL',
    );
    expect(refusedBasemapUrl('http://[::1', PAGE, plain)).toBe('the base map URL "http://[::1" is not a URL');
  });
});
