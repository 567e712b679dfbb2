import { Router, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { requireRole } from '../../http/middleware/auth.ts';
import { flash } from '../../http/middleware/locals.ts';
import { receiveSmallFile } from '../../http/middleware/upload.ts';
import { renderPage } from '../../http/render.ts';
import { parseForm, type FieldErrors } from '../../lib/validation.ts';
import { MODULE_KEYS } from '../registry.ts';
import { settingsSchema } from './schemas.ts';
import { findLogo, removeLogo, replaceLogo, updateSettings } from './service.ts';

const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const LOGO_MAX_BYTES = 1024 * 1024;

export function firmRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/settings', requireRole('supervisor'));

  const show = (res: Response, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200) =>
    renderPage(res, 'settings/show', { title: res.locals.t('settings:title'), values, errors, moduleKeys: MODULE_KEYS }, status);

  r.get('/settings', (req, res) => show(res, { ...req.firm, siret: req.firm.siret ?? '' }));

  r.post('/settings', async (req, res) => {
    const form = parseForm(settingsSchema, req.body);
    if (!form.ok) return show(res, { ...req.body, modules: [req.body?.modules ?? []].flat() }, form.errors, 400);
    await updateSettings(deps, req.firm, req.user!, form.data);
    flash(req, 'success', 'settings:saved');
    res.redirect(303, '/settings');
  });

  r.post('/settings/logo', async (req, res) => {
    const upload = await receiveSmallFile(req, res, 'logo', { maxBytes: LOGO_MAX_BYTES, allowed: LOGO_TYPES });
    if ('error' in upload) return show(res, { ...req.firm, siret: req.firm.siret ?? '' }, { logo: upload.error }, 400);
    await replaceLogo(deps, req.firm, req.user!, upload.file);
    flash(req, 'success', 'settings:logoSaved');
    res.redirect(303, '/settings');
  });

  r.post('/settings/logo/delete', async (req, res) => {
    await removeLogo(deps, req.firm, req.user!);
    flash(req, 'success', 'settings:logoRemoved');
    res.redirect(303, '/settings');
  });

  return r;
}

/** The firm's logo, public (the login page shows it). */
export function logoRoute(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    const logo = req.firm.hasLogo ? await findLogo(deps, req.firm) : undefined;
    if (!logo) return next();
    const etag = `"${logo.updatedAt.getTime().toString(36)}"`;
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('ETag', etag);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.headers['if-none-match'] === etag) return res.status(304).end();
    res.type(logo.mime).send(logo.data);
  };
}
