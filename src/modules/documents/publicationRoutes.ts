// D4 pages: "Documentation" for everyone; publishing and withdrawing for the supervisor.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { sendFileStream } from '../../http/attachment.ts';
import { flash } from '../../http/middleware/locals.ts';
import { renderPage } from '../../http/render.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { AUDIENCES, downloadPublication, listPublications, publicationQuery, publish, unpublish } from './publications.ts';

export function publicationRoutes(deps: AppDeps): Router {
  const r = Router();

  async function show(req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200) {
    const query = publicationQuery.parse(req.query);
    const list = await listPublications(deps, req.firm, req.user!, query);
    const link = (p: { page?: number; category?: string }) => {
      const params = new URLSearchParams();
      if (query.q) params.set('q', query.q);
      const category = p.category ?? query.category;
      if (category) params.set('category', category);
      if (p.page && p.page > 1) params.set('page', String(p.page));
      const s = params.toString();
      return `/documentation${s ? `?${s}` : ''}`;
    };
    renderPage(res, 'documents/documentation', { title: res.locals.t('documents:documentation.title'), list, query, audiences: AUDIENCES, linkTo: link, errors, values: { audience: 'all', ...values } }, status);
  }

  r.get('/documentation', (req, res) => show(req, res));

  r.post('/documentation', async (req, res) => {
    const outcome = await publish(deps, req.firm, req.user!, req, res);
    if (!outcome.ok) return show(req, res, outcome.errors, (req.body ?? {}) as Record<string, unknown>, outcome.status);
    flash(req, 'success', 'documents:documentation.published');
    res.redirect(303, '/documentation');
  });

  r.get('/documentation/:id/download', async (req, res) => {
    await sendFileStream(res, await downloadPublication(deps, req.firm, req.user!, String(req.params.id), req.ip ?? null));
  });

  r.post('/documentation/:id/delete', async (req, res) => {
    await unpublish(deps, req.firm, req.user!, String(req.params.id));
    flash(req, 'success', 'documents:documentation.unpublished');
    res.redirect(303, '/documentation');
  });

  return r;
}
