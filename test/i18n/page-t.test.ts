// pageT remembers translations: it must always answer what i18next answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createI18n, pageT } from '../../src/lib/i18n/index.ts';

describe("pages' t()", async () => {
  const i18n = await createI18n();

  it('answers what i18next answers, the first time and the next, in each language', () => {
    const calls: [unknown, ...unknown[]][] = [
      ['menu.home'],
      ['home:greeting', { name: 'Hélène Delmas' }],
      ['home:greeting', { name: 'Julien Marty' }],
      ['home:counts.collaborators', { count: 1 }],
      ['home:counts.collaborators', { count: 7 }],
      [['activity:actions.clients.created', 'clients:activity.created']],
      [['activity:actions.nothing.here', 'home:title']],
      ['dossiers:home.unpaid', { count: 2, amount: '960,00 €' }],
      ['home:greeting', { name: { toString: () => 'objet' } }],
      ['home:greeting', { name: 'x', extra: true }],
      ['home:greeting', { name: 'a' }, 'ignored default'],
    ];
    for (const locale of ['fr', 'en']) {
      const plain = i18n.getFixedT(locale) as unknown as (...a: unknown[]) => string;
      const t = pageT(i18n, locale) as unknown as (...a: unknown[]) => string;
      assert.equal(pageT(i18n, locale), t as unknown, 'one per language');
      for (let round = 0; round < 2; round++) {
        for (const call of calls) assert.deepEqual(t(...call), plain(...call), `${locale} ${JSON.stringify(call)} (round ${round})`);
      }
    }
    assert.notEqual(pageT(i18n, 'fr')('menu.home'), pageT(i18n, 'en')('menu.home'));
  });

  it('never takes one value for another, whatever the values hold', () => {
    const t = pageT(i18n, 'fr') as unknown as (...a: unknown[]) => string;
    const a = t('home:greeting', { name: 'Anne","x":"y' });
    const b = t('home:greeting', { name: 'Anne', x: 'y' });
    assert.match(a, /Anne","x":"y/);
    assert.doesNotMatch(b, /"x"/);
    assert.equal(t('home:counts.collaborators', { count: 1 }), 'compte du cabinet');
    assert.equal(t('home:counts.collaborators', { count: 2 }), 'comptes du cabinet');
  });

  it('keeps answering right once it has remembered too many phrases', () => {
    const t = pageT(i18n, 'fr') as unknown as (...a: unknown[]) => string;
    for (let i = 0; i < 10_050; i++) assert.match(t('home:greeting', { name: `Personne ${i}` }), new RegExp(`Personne ${i}\\b`));
    assert.match(t('home:greeting', { name: 'Personne 3' }), /Personne 3\b/);
  });
});
