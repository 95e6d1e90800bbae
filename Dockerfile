# syntax=docker/dockerfile:1
# The production image of the helpdesk bot: compiled JavaScript and production dependencies only.
#   docker build -t helpdesk .                      (the last stage, `runtime`)
#   docker build --target demo-smtp-relay .         (the demo's SMTP front, docker-compose.yml)
# The entrypoint (docker/entrypoint.sh) reads the secret from a file, migrates, syncs the mounted
# contracts file, then becomes `helpdesk start`. README.md "Docker" says how to run it.

# --- build: every dependency (TypeScript), then `npm run build` → dist/
FROM node:20-slim AS build
WORKDIR /app
# postinstall runs patch-package, which needs patches/ before `npm ci`
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
COPY workers ./workers
RUN npm run build

# --- production dependencies only (patch-package is a runtime dependency for this reason)
FROM node:20-slim AS production-deps
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# Installed as root and left owned by root: the bot (user node) cannot change its own code.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- the demo's SMTP front (scripts/smtp-relay.ts, through tsx, a runtime dependency); not the bot
FROM production-deps AS demo-smtp-relay
COPY scripts/smtp-relay.ts ./scripts/smtp-relay.ts
USER node
CMD ["node", "--import", "tsx", "scripts/smtp-relay.ts"]

# --- runtime: the bot
FROM production-deps AS runtime
COPY --from=build /app/dist ./dist
COPY templates ./templates
COPY drizzle ./drizzle
COPY bin ./bin
COPY docker/entrypoint.sh /usr/local/bin/helpdesk-entrypoint
# `helpdesk` on PATH for the entrypoint and for `docker exec … helpdesk outbox --failed`.
# bin/helpdesk.mjs runs dist/ (dist/.built is there and no TypeScript source is in the image).
RUN chmod 0755 /app/bin/helpdesk.mjs /usr/local/bin/helpdesk-entrypoint \
 && ln -s /app/bin/helpdesk.mjs /usr/local/bin/helpdesk \
 && test -f /app/dist/.built && test -f /app/dist/src/cli/main.js

# HELPDESK_HTTP_PORT serves /healthz and /metrics (docs/commands.md); 0.0.0.0 so Prometheus can
# scrape from another container: publish the port only to a private network.
ENV HELPDESK_HTTP_PORT=9464 \
    HELPDESK_HTTP_HOST=0.0.0.0 \
    CONTRACTS_FILE=/etc/helpdesk/contracts.yaml
EXPOSE 9464
USER node

# 200 from /healthz, else unhealthy (503 lists the problems: `docker inspect` shows the body's
# start). Node's own fetch, so the image needs no curl. start-period covers migrate + sync + the
# first poll.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.HELPDESK_HTTP_PORT+'/healthz',{signal:AbortSignal.timeout(4000)}).then(async r=>{if(!r.ok)console.log(await r.text());process.exit(r.ok?0:1)},e=>{console.log(String(e));process.exit(1)})"]

# SIGTERM lets in-flight work finish for HELPDESK_STOP_TIMEOUT_MS (20 s): give `docker stop`
# more (`--time 30`, compose's stop_grace_period). Exec form throughout, and the entrypoint
# ends in `exec`, so the signal reaches node; run with `--init` (compose: init: true) so a
# signal sent while migrating is handled too.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/helpdesk-entrypoint"]
CMD []
