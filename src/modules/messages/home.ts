// Messages on the home page (A5): the person's messages still to read ("à consulter"); for the
// centre's people, those of the centre's addresses too; for a supervisor, the messages held for
// approval. Each count is a range of a box's state index, and stops at HOME_CAP ("plus de 999").
import type { Knex } from 'knex';
import type { HomeSource } from '../registry.ts';
import { boxParts } from './repo.ts';

export const HOME_CAP = 1000;

export const messagesHome: HomeSource = {
  roles: ['supervisor', 'collaborator', 'contact', 'centre'],
  figures: (trx, firm, user) => {
    const capped = (q: Knex.QueryBuilder) => q.select(trx.raw('1')).limit(HOME_CAP);
    const unread = boxParts(trx, firm.id, user, { box: 'received', state: 'toRead' }).map((part) => trx.raw('(SELECT count(*) FROM (?) c)', [capped(part())]));
    const q = trx('firms').where('firms.id', firm.id).select(trx.raw(`${unread.map(() => '?').join(' + ')} AS unread`, unread));
    // Only for a supervisor: a subquery that never runs still weighs on the plan (and its JIT).
    if (user.role === 'supervisor') q.select(trx.raw('(SELECT count(*) FROM (?) h) AS held', [capped(trx('messages').where('firmId', firm.id).whereRaw(`status = 'pending'`))]));
    return q;
  },
  widgets: ({ unread = 0, held = 0 }) => ({
    counts: [],
    waiting: [
      ...(held ? [{ key: held >= HOME_CAP ? 'messages:home.heldMany' : 'messages:home.held', count: Math.min(held, HOME_CAP - 1), href: '/supervision/messages' }] : []),
      ...(unread ? [{ key: unread >= HOME_CAP ? 'messages:home.unreadMany' : 'messages:home.unread', count: Math.min(unread, HOME_CAP - 1), href: '/messages?state=toRead' }] : []),
    ],
  }),
};
