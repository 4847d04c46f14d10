# syntax=docker/dockerfile:1
# One image for every Penumbra service: APP (build arg or environment) picks the one to run,
# e.g. `docker build --build-arg APP=sentinel -t penumbra-sentinel .` or `-e APP=sentinel` at run.
# Three stages: `build` compiles every project (npm run build) with the full toolchain, `prod-deps`
# installs production dependencies only, and `runtime` holds those, the compiled output and the CLI's
# launcher, run by a non-root user. No TypeScript, compiler or test tooling reaches the runtime image.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Only the manifests first, so the dependency layer is rebuilt when they change, not on every edit.
COPY package.json package-lock.json .npmrc ./
# The CLI is a workspace: npm links its package and its bin, which must exist to be linked.
COPY apps/cli/package.json apps/cli/package.json
COPY apps/cli/bin apps/cli/bin
RUN npm ci --no-audit --no-fund
COPY . .
RUN NX_DAEMON=false NX_NO_CLOUD=true npm run build

FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY apps/cli/package.json apps/cli/package.json
COPY apps/cli/bin apps/cli/bin
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ARG APP=""
ENV APP=${APP} \
    NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json nx.json ./
COPY apps/cli/package.json apps/cli/package.json
COPY apps/cli/bin apps/cli/bin
# Everything stays root-owned and read-only; the services write nothing to disk.
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec: node becomes PID 1 and receives SIGTERM itself, so a stop finishes the batch in hand.
CMD ["sh", "-c", "case \"$APP\" in traffic-mirror|comparator|aggregator|sentinel|audit-sink|console) exec node \"dist/apps/$APP/src/main.js\" ;; *) echo \"set APP to traffic-mirror, comparator, aggregator, sentinel, audit-sink or console (got '$APP')\" >&2; exit 2 ;; esac"]
