# syntax=docker/dockerfile:1
#
# One image per service, from this one file (infra/compose/docker-compose.yml builds them this way):
#   docker build --build-arg SERVICE=upload    --target service -t photo-platform/upload .
#   docker build --build-arg SERVICE=processor --target service -t photo-platform/processor .
#   docker build --build-arg SERVICE=metadata  --target service -t photo-platform/metadata .
#   docker build --build-arg SERVICE=bff       --target bff     -t photo-platform/bff .
#
# The services run compiled JavaScript: `node dist/server.js`, no TypeScript toolchain in the image and no
# compile at start. The build stage runs scripts/build-service.mjs (`tsc -b` of the service and the
# workspace packages it references, each src/ to its dist/, the same layout as in the repository, so a path
# a module computes from its own location still holds) and stages only the runtime files; the image gets
# those and the service's production dependencies. Node is started without `--conditions=@photos/source`,
# so every workspace package's `exports` resolve to its dist/*.js (test/infra/service-build.int.spec.ts
# builds and starts that same output, from a copy without sources). In the repository, `npm start` and the
# tests still run the TypeScript sources with tsx.

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS base
# openssl: Prisma's schema engine (`prisma migrate deploy`, metadata image) links libssl, which the slim
# image lacks. libjemalloc2: the services' allocator (see the service stage). Installed in the shared base
# so the four images share one base layer; the library gets a path that does not depend on the CPU.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl libjemalloc2 \
 && ln -s "$(dpkg -L libjemalloc2 | grep '/libjemalloc\.so\.2$')" /usr/local/lib/libjemalloc.so.2 \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

# Only what `npm ci` reads: the lock, the root and workspace manifests, and the root postinstall script
# (it builds a test-only Kafka mock and does nothing when that dev dependency is absent). Source edits
# leave this layer, and so the dependency layers below, unchanged.
FROM base AS manifests
COPY . /src
RUN cd /src \
 && mkdir /manifests \
 && cp --parents package.json package-lock.json .npmrc scripts/build-kafka-mock.mjs /manifests/ \
 && find packages services apps -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /manifests/ \;

# Every dependency, development ones included (TypeScript, Vite): what the build and web stages compile
# with. Nothing of it reaches a service image. No install scripts: the test-only Kafka mock is not built.
FROM base AS toolchain
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --include=dev --ignore-scripts
COPY tsconfig.base.json ./
COPY packages ./packages

# One service and the packages it uses, compiled; /out holds what the image runs (dist/ without
# declarations, source maps and build info; the metadata service's Prisma schema and migrations).
FROM toolchain AS build
ARG SERVICE
RUN test -n "${SERVICE}" || { echo 'build with --build-arg SERVICE=<upload|processor|metadata|bff>' >&2; exit 1; }
COPY scripts/build-service.mjs ./scripts/
COPY services/${SERVICE} ./services/${SERVICE}
# metadata: the Prisma client (src/generated/prisma) is generated from the schema, then compiled with the rest.
RUN if [ -f services/${SERVICE}/prisma/schema.prisma ]; then cd services/${SERVICE} && npx --no-install prisma generate; fi
RUN node scripts/build-service.mjs "${SERVICE}" --stage /out

# Production dependencies of one service (and of the workspace packages it uses), nothing else.
FROM base AS deps
ARG SERVICE
RUN test -n "${SERVICE}" || { echo 'build with --build-arg SERVICE=<upload|processor|metadata|bff>' >&2; exit 1; }
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --workspace "services/${SERVICE}" --include-workspace-root=false

# HEIC (HEVC, every iPhone photo) in the processor: sharp's prebuilt libvips has no HEVC decoder, so the
# processor decodes HEVC with libheif compiled to WebAssembly (npm libheif-js, in worker threads: no apt
# package, no download at install) and sharp does the rest; AVIF and every other format stay native.
# A native libvips with libheif + libde265 was weighed and left out of this image: sharp 0.35 builds
# against a system libvips only from 8.18.7 (node_modules/sharp/package.json, config.libvips), while
# Debian 12 ships 8.14 and Debian 13 8.16, so it would mean compiling libvips from source here (meson,
# ~20 -dev packages, node-gyp + node-addon-api for sharp's `npm install --build-from-source`), kept in
# step with every sharp upgrade, and it cannot be built or tested where this is developed. What it buys:
# the HEVC decode of a 12 MP photo in about half the CPU (native libde265 ~0.6 s, WASM ~1.2 s); see the
# README's "Photo formats" for the whole per-photo cost. The code already prefers sharp: an image whose
# libvips decodes HEVC never reaches the WASM decoder.
FROM base AS service
ARG SERVICE
COPY --from=deps /app ./
COPY --from=build /out/ ./
WORKDIR /app/services/${SERVICE}
# DATA_DIR is only used by the embedded (no S3) mode; keep it off the read-only code.
# SERVICE: which service this image is, for the HEALTHCHECK's default port.
# LD_PRELOAD: jemalloc instead of glibc's malloc, whose per-thread arenas and moving mmap threshold
# fragment under sharp/libvips. 600 photos through the processor's code in one process, RSS from the 60th
# photo to the last: glibc +27% to +42%, ending at 519-558 MiB; jemalloc +4%, ending at 248 MiB (README,
# "Memory"; `npm run bench:soak` runs the services this way). Set last, so the build steps use glibc.
ENV HOST=0.0.0.0 \
    DATA_DIR=/tmp/data \
    SERVICE=${SERVICE} \
    LD_PRELOAD=/usr/local/lib/libjemalloc.so.2
USER node
# Liveness (the process answers), not readiness: an engine that restarts unhealthy containers (Swarm) must
# not restart a service only because its database or broker is down. Compose and Kubernetes probe
# /health/ready themselves. The port: PORT, else the service's default.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=process.env.PORT||{bff:3000,upload:3001,processor:3002,metadata:3003}[process.env.SERVICE];fetch('http://127.0.0.1:'+p+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.js"]

# The web app the BFF serves, built with the repository's development dependencies.
FROM toolchain AS web
COPY apps ./apps
RUN npm run build --workspace apps/web

FROM service AS bff
ARG SERVICE
RUN test "${SERVICE}" = bff || { echo 'the bff target needs --build-arg SERVICE=bff' >&2; exit 1; }
COPY --from=web /app/apps/web/dist /app/apps/web/dist
ENV WEB_DIST_DIR=/app/apps/web/dist

# Default target: the service named by SERVICE (the BFF without its web app; use --target bff for it).
FROM service
