import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadCatalogues } from '../../src/lib/i18n/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const catalogues = loadCatalogues();

function keysOf(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keysOf(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

/** i18next plural forms (_one, _other) count as their base key. */
function baseKeys(lang: string): Set<string> {
  return new Set(Object.entries(catalogues[lang] ?? {}).flatMap(([ns, obj]) => keysOf(obj).map((k) => `${ns}:${k.replace(/_(one|other|zero)$/, '')}`)));
}

function sourceFiles(dir: string, ext: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(ROOT, dir, f));
}

describe('translation catalogues', () => {
  it('have the same keys in French and in English', () => {
    const fr = baseKeys('fr');
    const en = baseKeys('en');
    assert.deepEqual([...fr].filter((k) => !en.has(k)), [], 'keys missing in English');
    assert.deepEqual([...en].filter((k) => !fr.has(k)), [], 'keys missing in French');
  });

  it('hold every literal key that the views and the code ask for', () => {
    const fr = baseKeys('fr');
    const files = [...sourceFiles('views', '.ejs'), ...sourceFiles('src', '.ts')];
    const missing: string[] = [];
    // t('ns:key'), t('key'), and message keys given as strings: { key: 'ns:key' }, 'validation.x'
    // (a module's `key: 'clients'` has neither namespace nor dot: it is no message key)
    const patterns = [/\bt\(\s*'([a-zA-Z0-9_.:]+)'/g, /\bkey:\s*'([a-zA-Z0-9_]+[.:][a-zA-Z0-9_.:]+)'/g, /messageKey\s*=\s*'([a-zA-Z0-9_.:]+)'/g, /labelKey:\s*'([a-zA-Z0-9_.:]+)'/g, /'(validation\.[a-zA-Z]+)'/g, /flash\(req, '[a-z]+', '([a-zA-Z0-9_.:]+)'/g];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const re of patterns) {
        for (const m of text.matchAll(re)) {
          const key = m[1]!.includes(':') ? m[1]! : `common:${m[1]}`;
          if (key.endsWith('.') || key.endsWith(':')) continue; // a prefix completed at run time
          if (!fr.has(key)) missing.push(`${path.relative(ROOT, file)}: ${key}`);
        }
      }
    }
    assert.deepEqual([...new Set(missing)], []);
  });

  it('names every logged action in a catalogue', () => {
    const fr = baseKeys('fr');
    const actions = sourceFiles('src', '.ts').flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/action: '([a-zA-Z.]+)'/g)].map((m) => m[1]!));
    assert.ok(actions.length > 5);
    // In the activity catalogue, or in the module's own under "activity" (see actionLabel).
    const named = (a: string) => fr.has(`activity:actions.${a}`) || fr.has(`${a.slice(0, a.indexOf('.'))}:activity.${a.slice(a.indexOf('.') + 1)}`);
    assert.deepEqual(actions.filter((a) => !named(a)), []);
  });
});
