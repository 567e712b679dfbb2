// Translation catalogues: locales/<lang>/<namespace>.json, one namespace per module, so that
// modules grow their own words without touching each other's files.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n, type TFunction } from 'i18next';

export type { TFunction };
export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'fr';

const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../locales');

export function loadCatalogues(dir = LOCALES_DIR): Record<string, Record<string, Record<string, unknown>>> {
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const lang of LOCALES) {
    resources[lang] = {};
    for (const file of fs.readdirSync(path.join(dir, lang)).filter((f) => f.endsWith('.json'))) {
      resources[lang][path.basename(file, '.json')] = JSON.parse(fs.readFileSync(path.join(dir, lang, file), 'utf8'));
    }
  }
  return resources;
}

export async function createI18n(): Promise<i18n> {
  const resources = loadCatalogues();
  const instance = i18next.createInstance();
  await instance.init({
    resources,
    lng: DEFAULT_LOCALE,
    fallbackLng: DEFAULT_LOCALE,
    supportedLngs: [...LOCALES],
    ns: Object.keys(resources[DEFAULT_LOCALE] ?? {}),
    defaultNS: 'common',
    fallbackNS: 'common',
    nsSeparator: ':',
    keySeparator: '.',
    // EJS escapes on output: escaping here too would show &amp; to users.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

const WORDS_LIMIT = 5000;
const PHRASES_LIMIT = 10_000;

/**
 * A language's t() for pages, which remembers what it translated: i18next's lookups were a tenth,
 * then (with the home page's other costs gone) a quarter of a page's allocations. Remembered: a key
 * or a list of fallback keys, alone or with values that are strings or numbers (counts, names),
 * since the catalogues never change while the app runs. Phrases with values are forgotten all at
 * once when too many; anything else goes to i18next every time.
 */
export function pageT(instance: i18n, locale: string): TFunction {
  let ofInstance = pageTs.get(instance);
  if (!ofInstance) pageTs.set(instance, (ofInstance = new Map()));
  let fast = ofInstance.get(locale);
  if (!fast) ofInstance.set(locale, (fast = rememberingT(instance.getFixedT(locale))));
  return fast;
}
const pageTs = new WeakMap<i18n, Map<string, TFunction>>();

function rememberingT(t: TFunction): TFunction {
  const words = new Map<string, string>();
  const phrases = new Map<string, string>();
  const translate = t as unknown as (...a: unknown[]) => string;
  const fast = ((key: unknown, ...rest: unknown[]) => {
    const id = memoKey(key, rest);
    if (id === undefined) return translate(key, ...rest);
    const memo = rest.length ? phrases : words;
    let text = memo.get(id);
    if (text !== undefined) return text;
    text = translate(key, ...rest);
    if (memo === words) {
      if (words.size < WORDS_LIMIT) words.set(id, text);
    } else {
      if (phrases.size >= PHRASES_LIMIT) phrases.clear();
      phrases.set(id, text);
    }
    return text;
  }) as unknown as TFunction;
  const { lng, ns } = t as unknown as { lng?: string; ns?: string | string[] };
  return Object.assign(fast, { lng, ns });
}

/** What identifies a call, or undefined when it cannot be remembered safely. */
function memoKey(key: unknown, rest: unknown[]): string | undefined {
  const keys = typeof key === 'string' ? key : Array.isArray(key) && key.every((k) => typeof k === 'string') ? key.join('\u0000') : undefined;
  if (keys === undefined || rest.length > 1) return undefined;
  if (!rest.length) return keys;
  const values = rest[0];
  if (!values || typeof values !== 'object' || Array.isArray(values)) return undefined;
  for (const value of Object.values(values)) if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return `${keys}\u0001${JSON.stringify(values)}`; // JSON: no value can pass for another
}
