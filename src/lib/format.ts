// Dates and amounts as French users read them: 22/11/2026, 1 234,56 €.
const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function formatter<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

const tag = (locale: string) => (locale === 'en' ? 'en-GB' : 'fr-FR');

export function formatDate(d: Date | string | null | undefined, locale = 'fr'): string {
  if (!d) return '';
  return formatter(`d:${locale}`, () => new Intl.DateTimeFormat(tag(locale), { dateStyle: 'short', timeZone: 'Europe/Paris' })).format(new Date(d));
}

export function formatDateTime(d: Date | string | null | undefined, locale = 'fr'): string {
  if (!d) return '';
  return formatter(`dt:${locale}`, () => new Intl.DateTimeFormat(tag(locale), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' })).format(new Date(d));
}

export function formatAmount(n: number, locale = 'fr'): string {
  return formatter(`a:${locale}`, () => new Intl.NumberFormat(tag(locale), { style: 'currency', currency: 'EUR' })).format(n);
}

/** A file size as French users read it: 820 o, 12,3 Ko, 4,5 Mo (English: B, KB, MB, GB). */
export function formatSize(bytes: number | string, locale = 'fr'): string {
  const units = locale === 'en' ? ['B', 'KB', 'MB', 'GB'] : ['o', 'Ko', 'Mo', 'Go'];
  let n = Number(bytes);
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  const digits = u === 0 || n >= 100 ? 0 : 1;
  return `${formatter(`s:${locale}:${digits}`, () => new Intl.NumberFormat(tag(locale), { maximumFractionDigits: digits })).format(n)} ${units[u]}`;
}
