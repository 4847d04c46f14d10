# syntax=docker/dockerfile:1
# One image for every Penumbra service: APP (build arg or environment) picks the one to run,
# e.g. `docker build --build-arg APP=sentinel -t penumbra-sentinel .` or `-e APP=sentinel` at run.
# Services run from their TypeScript sources through SWC, exactly as `npm run service` does.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# Only the manifests, so the dependency layer is rebuilt when they change, not on every edit.
COPY package.json package-lock.json .npmrc ./
# The CLI is a workspace: npm links its package and its bin, which must exist to be linked.
COPY apps/cli/package.json apps/cli/package.json
COPY apps/cli/bin apps/cli/bin
# The SWC runtime (@swc-node/register, @swc/core) is a devDependency, so devDependencies stay.
RUN npm install --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ARG APP=""
ENV APP=${APP} \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    SWC_NODE_PROJECT=/app/tsconfig.base.json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# The sources stay root-owned and read-only; the service needs only /tmp (SWC's transform cache).
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec: node becomes PID 1 and receives SIGTERM itself, so a stop finishes the batch in hand.
CMD ["sh", "-c", "case \"$APP\" in traffic-mirror|comparator|aggregator|sentinel|audit-sink) exec node -r @swc-node/register \"apps/$APP/src/main.ts\" ;; *) echo \"set APP to traffic-mirror, comparator, aggregator, sentinel or audit-sink (got '$APP')\" >&2; exit 2 ;; esac"]
