// /dev/mail: in development, with no SMTP server, the supervisor reads the firm's outgoing mail here.
import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { renderPage } from '../../http/render.ts';
import { withFirm } from '../../db/withFirm.ts';
import { NotFound } from '../errors.ts';

export function devMailRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/dev/mail', requireRole('supervisor'));

  r.get('/dev/mail', async (req, res) => {
    const mails = await withFirm(deps.db, req.firm.id, (trx) =>
      trx('mailOutbox').where({ firmId: req.firm.id }).orderBy('id', 'desc').limit(100).select('id', 'recipient', 'subject', 'status', 'createdAt', 'attempts'),
    );
    renderPage(res, 'dev/mail-index', { title: res.locals.t('dev:mail.title'), mails, smtp: Boolean(deps.config.smtpUrl) });
  });

  r.get('/dev/mail/:id', async (req, res) => {
    if (!/^\d{1,18}$/.test(req.params.id)) throw new NotFound();
    const mail = await withFirm(deps.db, req.firm.id, (trx) => trx('mailOutbox').where({ firmId: req.firm.id, id: req.params.id }).first());
    if (!mail) throw new NotFound();
    renderPage(res, 'dev/mail-show', { title: mail.subject, mail });
  });

  return r;
}
