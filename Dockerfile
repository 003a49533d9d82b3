# syntax=docker/dockerfile:1
#
# One image per service, from this one file (infra/compose/docker-compose.yml builds them this way):
#   docker build --build-arg SERVICE=upload    --target service -t photo-platform/upload .
#   docker build --build-arg SERVICE=processor --target service -t photo-platform/processor .
#   docker build --build-arg SERVICE=metadata  --target service -t photo-platform/metadata .
#   docker build --build-arg SERVICE=bff       --target bff     -t photo-platform/bff .
#
# The services run from their TypeScript sources with tsx, exactly as `npm start` runs them
# (`node --conditions=@photos/source --import tsx src/server.ts`), not from `tsc -b` output:
# - the workspace packages' `exports` resolve to src/*.ts under the `@photos/source` condition, so no
#   package needs a dist/ that could drift from its source; there is one way to run a service, in the
#   repository, in the tests and in the image;
# - code that only exists as TypeScript (the generated Prisma client) needs no separate compile step;
# - the cost is esbuild transforming each file once at start-up (cached under /tmp), about a second.
# tsx is a development dependency of the repository, so the image installs it on its own, at the version
# package-lock.json pins, under /opt/tsx, and imports its loader by path.

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

FROM base AS tsx
COPY package-lock.json /tmp/package-lock.json
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    version="$(node -p "require('/tmp/package-lock.json').packages['node_modules/tsx'].version")" \
 && npm install --prefix /opt/tsx --omit=dev "tsx@${version}"

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
COPY --from=tsx /opt/tsx /opt/tsx
COPY --from=deps /app ./
COPY tsconfig.base.json ./
COPY packages ./packages
COPY services/${SERVICE} ./services/${SERVICE}
WORKDIR /app/services/${SERVICE}
# metadata: the Prisma client (src/generated/prisma) is generated from the schema shipped in this image.
RUN if [ -f prisma/schema.prisma ]; then npx --no-install prisma generate; fi
# DATA_DIR is only used by the embedded (no S3) mode; keep it off the read-only code.
# LD_PRELOAD: jemalloc instead of glibc's malloc, whose per-thread arenas and moving mmap threshold
# fragment under sharp/libvips. 600 photos through the processor's code in one process, RSS from the 60th
# photo to the last: glibc +27% to +42%, ending at 519-558 MiB; jemalloc +4%, ending at 248 MiB (README,
# "Memory"; `npm run bench:soak` runs the services this way). Set last, so the build steps use glibc.
ENV HOST=0.0.0.0 \
    DATA_DIR=/tmp/data \
    LD_PRELOAD=/usr/local/lib/libjemalloc.so.2
USER node
CMD ["node", "--conditions=@photos/source", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "src/server.ts"]

# The web app the BFF serves, built with the repository's development dependencies.
FROM base AS web
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --include=dev --ignore-scripts
COPY tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
RUN npm run build --workspace apps/web

FROM service AS bff
ARG SERVICE
RUN test "${SERVICE}" = bff || { echo 'the bff target needs --build-arg SERVICE=bff' >&2; exit 1; }
COPY --from=web /app/apps/web/dist /app/apps/web/dist
ENV WEB_DIST_DIR=/app/apps/web/dist

# Default target: the service named by SERVICE (the BFF without its web app; use --target bff for it).
FROM service
