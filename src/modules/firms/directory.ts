// Host name → firm, from the configured base domain and each firm's custom domains. Firms are few
// and read on every request, so they are cached; a change made here is seen at once, a change made
// by another process within a few seconds.
import type { Knex } from 'knex';
import type { FirmRow } from '../../db/tables.ts';

const REFRESH_MS = 5000;

export class FirmDirectory {
  private bySlug = new Map<string, FirmRow>();
  private byDomain = new Map<string, FirmRow>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  private readonly db: Knex;
  private readonly baseDomain: string;
  private readonly defaultSlug: string;

  constructor(db: Knex, baseDomain: string, defaultSlug: string) {
    this.db = db;
    this.baseDomain = baseDomain;
    this.defaultSlug = defaultSlug;
  }

  async resolve(hostname: string): Promise<FirmRow | undefined> {
    // Stale entries are served while a reload runs in the background: no request waits for it.
    if (!this.loadedAt) await this.refresh();
    else if (Date.now() - this.loadedAt > REFRESH_MS) this.refresh().catch(() => {});
    const host = hostname.toLowerCase().replace(/\.$/, '');
    if (host === this.baseDomain) return this.bySlug.get(this.defaultSlug);
    const suffix = `.${this.baseDomain}`;
    if (host.endsWith(suffix)) {
      const slug = host.slice(0, -suffix.length);
      if (!slug.includes('.')) return this.bySlug.get(slug);
    }
    return this.byDomain.get(host);
  }

  /** Reloads the firms now: call after changing one. */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** The address of a firm's space, built from configuration (never from request headers). */
  urlFor(firm: FirmRow, publicUrl: URL): URL {
    const url = new URL(publicUrl);
    url.hostname = firm.customDomains[0] ?? (firm.slug === this.defaultSlug && url.hostname === this.baseDomain ? url.hostname : `${firm.slug}.${this.baseDomain}`);
    return url;
  }

  private async load() {
    const firms = await this.db('firms').select('*');
    this.bySlug = new Map(firms.map((f) => [f.slug, f]));
    this.byDomain = new Map(firms.flatMap((f) => f.customDomains.map((d) => [d.toLowerCase(), f] as const)));
    this.loadedAt = Date.now();
  }
}
