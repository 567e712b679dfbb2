import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { renderPage } from '../../http/render.ts';
import { withFirm } from '../../db/withFirm.ts';
import { listActivity } from './service.ts';

const cursor = z.string().regex(/^\d{1,18}$/).optional().catch(undefined);
const pageQuery = z.object({ before: cursor, after: cursor });

export function activityRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/activity', requireRole('supervisor'), async (req, res) => {
    const { before, after } = pageQuery.parse(req.query);
    const page = await withFirm(deps.db, req.firm.id, (trx) => listActivity(trx, req.firm.id, { before, after, limit: req.firm.rowsPerPage }));
    renderPage(res, 'activity/index', { title: res.locals.t('activity:title'), page });
  });
  return r;
}
