// /notifications: everyone signed in (core, like /account). The list; "Lu", "Reporter" and
// "Tout marquer comme lu"; following a notification's link (a form: it marks it read, so it is a POST).
import { Router, type Request } from 'express';
import type { AppDeps } from '../../deps.ts';
import { requireUser } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { listLink } from '../../http/listLink.ts';
import { renderPage } from '../../http/render.ts';
import { backToList, NOTIFICATION_KINDS, NOTIFICATION_STATES, notificationListQuery } from './schemas.ts';
import { notificationsPage, openNotification, postponeNotification, readAllNotifications, readNotification } from './service.ts';

const back = (req: Request) => backToList.parse(req.body ?? {}).back ?? '/notifications';

export function notificationRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/notifications', requireUser);

  r.get('/notifications', async (req, res) => {
    const query = notificationListQuery.parse(req.query);
    const list = await notificationsPage(deps, req.firm, req.user!, query);
    const linkTo = listLink('/notifications', query);
    renderPage(res, 'notifications/index', { title: res.locals.t('notifications:title'), list, query, linkTo, here: linkTo({}), kinds: NOTIFICATION_KINDS, states: NOTIFICATION_STATES });
  });

  r.post('/notifications/read-all', async (req, res) => {
    const n = await readAllNotifications(deps, req.firm, req.user!);
    flash(req, 'success', 'notifications:allRead', { count: n });
    res.redirect(303, back(req));
  });

  r.post('/notifications/:id/read', async (req, res) => {
    await readNotification(deps, req.firm, req.user!, req.params.id);
    res.redirect(303, back(req));
  });

  r.post('/notifications/:id/postpone', async (req, res) => {
    await postponeNotification(deps, req.firm, req.user!, req.params.id);
    flash(req, 'info', 'notifications:postponed');
    res.redirect(303, back(req));
  });

  r.post('/notifications/:id/open', async (req, res) => {
    res.redirect(303, await openNotification(deps, req.firm, req.user!, req.params.id));
  });

  return r;
}
