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

const MEMO_LIMIT = 5000;

/**
 * A language's t() for pages: a key without values is looked up once and remembered (menus,
 * headings, labels: most of a page's words), since i18next's lookup was a tenth of a page's CPU.
 * Calls with values (counts, names) go to i18next every time. The catalogues never change while
 * the app runs.
 */
export function pageT(instance: i18n, locale: string): TFunction {
  const t = instance.getFixedT(locale);
  let memo = memos.get(instance)?.get(locale);
  if (!memo) {
    memo = new Map();
    if (!memos.has(instance)) memos.set(instance, new Map());
    memos.get(instance)!.set(locale, memo);
  }
  const known = memo;
  const fast = ((key: unknown, ...rest: unknown[]) => {
    if (rest.length || typeof key !== 'string') return (t as unknown as (...a: unknown[]) => string)(key, ...rest);
    let text = known.get(key);
    if (text === undefined) {
      text = t(key);
      if (known.size < MEMO_LIMIT) known.set(key, text);
    }
    return text;
  }) as unknown as TFunction;
  const { lng, ns } = t as unknown as { lng?: string; ns?: string | string[] };
  return Object.assign(fast, { lng, ns });
}
const memos = new WeakMap<i18n, Map<string, Map<string, string>>>();
