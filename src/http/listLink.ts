/**
 * Links of a list page that keep its search, filters and sort and change one thing (sort, page,
 * view): `listLink('/clients', query)({ page: 2 })`. Page 1 and empty values stay out of the URL.
 */
export function listLink<Q extends object>(base: string, query: Q) {
  return (change: Partial<Q>): string => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...query, ...change })) if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) params.set(k, String(v));
    const s = params.toString();
    return s ? `${base}?${s}` : base;
  };
}
