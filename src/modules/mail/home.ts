// Mail on the home page (A5, seed 000): new mail, and mail waiting for an answer; for the centre,
// what it sent that waits for an answer and the answers it got lately.
import type { HomeSource } from '../registry.ts';
import { visibleMail } from './repo.ts';

export const mailHome: HomeSource = {
  roles: ['supervisor', 'collaborator', 'centre'],
  figures: (trx, firm, user) =>
    user.role === 'centre'
      ? visibleMail(trx, firm.id, user).select(
          trx.raw('count(*) FILTER (WHERE mail_items.needs_reply AND mail_items.answered_at IS NULL) AS centrewaiting'),
          trx.raw(`count(*) FILTER (WHERE mail_items.answered_at > now() - interval '30 days') AS centreanswers`),
        )
      : user.role === 'supervisor' || user.role === 'collaborator'
      ? visibleMail(trx, firm.id, user)
          .whereNull('mailItems.archivedAt')
          .select(
            trx.raw('count(*) AS fresh'),
            trx.raw('count(*) FILTER (WHERE mail_items.needs_reply AND mail_items.answered_at IS NULL) AS unanswered'),
            trx.raw(`(SELECT count(*) FROM mail_replies r WHERE r.firm_id = ? AND r.status = 'pending' AND ?) AS approvals`, [firm.id, user.role === 'supervisor']),
          )
      : undefined,
  widgets: ({ fresh = 0, unanswered = 0, approvals = 0, centrewaiting = 0, centreanswers = 0 }) => ({
    counts: [],
    waiting: [
      ...(centreanswers ? [{ key: 'courriers:home.centreAnswers', count: centreanswers, href: '/mail' }] : []),
      ...(centrewaiting ? [{ key: 'courriers:home.centreWaiting', count: centrewaiting, href: '/mail?filter=toAnswer' }] : []),
      ...(approvals ? [{ key: 'courriers:home.approvals', count: approvals, href: '/supervision/replies' }] : []),
      ...(unanswered ? [{ key: 'courriers:home.toAnswer', count: unanswered, href: '/mail?filter=toAnswer' }] : []),
      ...(fresh ? [{ key: 'courriers:home.new', count: fresh, href: '/mail' }] : []),
    ],
  }),
};
