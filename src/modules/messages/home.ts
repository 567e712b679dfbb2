// Messages on the home page (A5): the person's messages still to read ("à consulter"); for the
// centre's people, those of the centre's addresses too; for a supervisor, the messages held for
// approval. Counted from the partial indexes of the migration.
import type { HomeSource } from '../registry.ts';

export const messagesHome: HomeSource = {
  roles: ['supervisor', 'collaborator', 'contact', 'centre'],
  figures: (trx, firm, user) => {
    const unread = trx('messages').where({ firmId: firm.id, status: 'sent' }).whereNull('readAt');
    if (user.role === 'centre') unread.where((w) => w.where('recipientUserId', user.id).orWhere('recipientKind', 'address'));
    else unread.where('recipientUserId', user.id);
    if (user.role === 'contact') {
      unread.whereExists((s) => s.select(trx.raw('1')).from('clientContacts as cc').where('cc.firmId', firm.id).where('cc.userId', user.id).whereRaw('cc.client_id = messages.client_id'));
    }
    return unread.select(
      trx.raw('count(*) AS unread'),
      trx.raw(`(SELECT count(*) FROM messages h WHERE h.firm_id = ? AND h.status = 'pending' AND ?) AS held`, [firm.id, user.role === 'supervisor']),
    );
  },
  widgets: ({ unread = 0, held = 0 }) => ({
    counts: [],
    waiting: [
      ...(held ? [{ key: 'messages:home.held', count: held, href: '/supervision/messages' }] : []),
      ...(unread ? [{ key: 'messages:home.unread', count: unread, href: '/messages?state=toRead' }] : []),
    ],
  }),
};
