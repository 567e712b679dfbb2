import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { requireUser } from '../../http/middleware/auth.ts';
import { renderPage } from '../../http/render.ts';
import { homeFor } from './service.ts';

export function homeRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/', requireUser, async (req, res) => {
    const home = await homeFor(deps, req.firm, req.user!);
    renderPage(res, 'home/index', { title: res.locals.t('home:title'), home });
  });
  return r;
}
