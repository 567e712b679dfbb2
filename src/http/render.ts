import type { Response } from 'express';
import type { FieldErrors } from '../lib/validation.ts';

export interface PageLocals {
  title: string;
  errors?: FieldErrors;
  values?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Renders `views/<view>.ejs` inside the main layout (firm branding, menu, flash messages). */
export function renderPage(res: Response, view: string, locals: PageLocals, status = 200): void {
  const all = { errors: {}, values: {}, ...locals, };
  res.render(view, all, (err, body) => {
    if (err) return res.req.next?.(err);
    res.render('layouts/main', { ...all, body }, (layoutErr, html) => {
      if (layoutErr) return res.req.next?.(layoutErr);
      res.status(status).type('html').send(html);
    });
  });
}
