/**
 * The bundled data set: Vancouver Police Department property crime, 2022 and 2023 (VPD open
 * data, GeoDASH CSV, gzip), shipped with the app as static assets of this origin. The worker
 * fetches them from the page's own server and decompresses them in the browser.
 */
import url2022 from '../fixtures/vancouver/property_2022.csv.gz?url';
import url2023 from '../fixtures/vancouver/property_2023.csv.gz?url';
import type { DataSource } from './protocol.ts';

/** Absolute URLs (the worker resolves relative URLs against its own script, not the page). */
function absolute(url: string): string {
  return new URL(url, document.baseURI).href;
}

export const BUNDLED_SOURCE: DataSource = {
  kind: 'bundled',
  files: [
    { url: absolute(url2022), name: 'property_2022.csv.gz' },
    { url: absolute(url2023), name: 'property_2023.csv.gz' },
  ],
};
