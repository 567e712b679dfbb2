import type { RequestHandler, Response } from 'express';

/**
 * express-session stores a changed session while the response goes out, and a browser follows a
 * redirect as soon as its headers arrive: the next page could load the session from before the
 * change and lose a flash message or a CSRF token. A redirect therefore waits for that save.
 */
export const saveSessionBeforeRedirect: RequestHandler = (req, res, next) => {
  const loaded = req.session ? JSON.stringify(req.session) : undefined;
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session || JSON.stringify(req.session) === loaded) return redirect(...args);
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  }) as Response['redirect'];
  next();
};
