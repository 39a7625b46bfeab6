# syntax=docker/dockerfile:1

# Build: compile TypeScript and better-sqlite3's native module, then drop dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Run: production dependencies, the compiled app and the migrations, as a non-root user.
# A production volume starts empty: no demo blog unless asked for (-e DATELINE_DEMO=true).
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=/data/dateline.db \
    DATELINE_DEMO=false
WORKDIR /app
# pg_dump, pg_restore and psql (about 11 MB) for `dateline backup` and `restore` on PostgreSQL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
# `dateline` on PATH, for `docker exec <container> dateline token create …` and the like.
RUN mkdir -p /data && chown node:node /data \
 && printf '#!/bin/sh\nexec node /app/dist/cli.js "$@"\n' > /usr/local/bin/dateline \
 && chmod 755 /usr/local/bin/dateline
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start` runs, without npm in between (so SIGTERM reaches the server and it drains).
# A small young generation: ~60 MB less resident memory under load, no slower (bench/README.md).
CMD ["node", "--max-semi-space-size=4", "dist/cli.js", "serve"]
