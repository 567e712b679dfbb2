// The firm's emails (K1): templates per kind and language, and its own sending server. Part of the
// settings every firm has, whatever modules it enabled (the list shows the emails of those it did).
export { emailRoutes } from './routes.ts';
