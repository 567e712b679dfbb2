# Passerelle in production: Node 24 (the `node` package pinned in package.json runs the app),
# no dev dependencies, a non-root user, configuration from the environment (see README).
FROM node:24-slim
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
COPY views ./views
COPY public ./public
COPY locales ./locales
RUN useradd --system --uid 10001 passerelle && mkdir -p /app/data && chown passerelle /app/data
USER passerelle
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# A small young generation: a 1 GB upload or download then adds ~15 MB to the process, not ~65 MB
# (bench/files.md), at no cost measured on pages or PDF stamping (bench/README.md).
CMD ["node", "--max-semi-space-size=1", "src/server.ts"]
