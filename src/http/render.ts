import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { Application, Response } from 'express';
import type { FieldErrors } from '../lib/validation.ts';

export interface PageLocals {
  title: string;
  errors?: FieldErrors;
  values?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Renders `views/<view>.ejs` inside the main layout (firm branding, menu, flash messages).
 *
 * Calls the compiled templates itself rather than through res.render: Express and EJS each copy
 * every local (some forty) into a new object at each render, and a page is two renders and an
 * include. Here the page and its layout share one object of locals, with no prototype, so EJS may
 * use it as it is (`unsafePrototypeLocals`: nothing inherited can be read as a local).
 */
export function renderPage(res: Response, view: string, locals: PageLocals, status = 200): void {
  const data = Object.assign(Object.create(null) as Record<string, unknown>, res.app.locals, res.locals, { errors: {}, values: {} }, locals);
  let html: string;
  try {
    data.body = template(res.app, view)(data);
    html = template(res.app, 'layouts/main')(data);
  } catch (err) {
    res.req.next?.(err);
    return;
  }
  // The page as a string in one write with its headers (res.send would first copy it into a Buffer).
  res.status(status).type('html').setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}

/**
 * The engine behind res.render, for the few views without the layout (a page to print): the same
 * compiled templates, on a copy of Express's locals without a prototype.
 */
export function viewEngine(app: Application) {
  return (file: string, data: object, done: (err: unknown, html?: string) => void): void => {
    let html: string;
    try {
      html = template(app, file)(Object.assign(Object.create(null) as object, data));
    } catch (err) {
      done(err);
      return;
    }
    done(null, html);
  };
}

/** Each app's compiled templates, by view name ('home/index') or, from res.render, by file path. */
const compiled = new WeakMap<Application, Map<string, ejs.TemplateFunction>>();

/** A view's template function: compiled once when the app caches views (outside development), else read again each time. */
function template(app: Application, view: string): ejs.TemplateFunction {
  const cache = app.enabled('view cache');
  let ofApp = compiled.get(app);
  if (!ofApp) compiled.set(app, (ofApp = new Map()));
  let fn = cache ? ofApp.get(view) : undefined;
  if (!fn) {
    const root = app.get('views') as string;
    const file = path.isAbsolute(view) ? view : path.join(root, `${view}.ejs`);
    // Includes name their template from the views folder ('/partials/field'): EJS finds it without
    // asking the disk at every include. Outside development, no line tracking (a statement per line
    // and a try/catch per render): errors still name the template, in the log.
    const options: ejs.Options & { async: false; client: false; unsafePrototypeLocals: boolean } = {
      filename: file,
      root,
      cache,
      compileDebug: !cache,
      async: false,
      client: false,
      unsafePrototypeLocals: true,
    };
    fn = ejs.compile(fs.readFileSync(file, 'utf8'), options);
    if (cache) ofApp.set(view, fn);
  }
  return fn;
}
