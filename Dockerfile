# syntax=docker/dockerfile:1.7
# One image per component: docker build --build-arg SERVICE=<gateway|user|course|enrollment|assessment|notification> .
FROM node:24.11.1-bookworm-slim AS base
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    CI=true
RUN npm install --global --no-fund --no-audit pnpm@10.34.8

FROM base AS build
ARG SERVICE
# Native addons (bcrypt) fall back to node-gyp when no prebuild matches.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --frozen-lockfile
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    set -eu; \
    case "${SERVICE:?set --build-arg SERVICE}" in \
      gateway) pkg=@lms/gateway ;; \
      user|course|enrollment|assessment|notification) pkg="@lms/${SERVICE}-service" ;; \
      *) echo "unknown SERVICE ${SERVICE}" >&2; exit 1 ;; \
    esac; \
    pnpm install --frozen-lockfile --offline; \
    pnpm --filter "${pkg}..." run build; \
    pnpm --filter "${pkg}" deploy --prod --legacy /out; \
    test -f /out/dist/server.js

FROM node:24.11.1-bookworm-slim AS runtime
ARG SERVICE
ARG PORT=8080
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="lms-${SERVICE}" \
      org.opencontainers.image.description="LMS platform component: ${SERVICE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.vendor="LMS platform team"
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 lms \
 && useradd --system --uid 10001 --gid lms --home-dir /app --shell /usr/sbin/nologin lms
WORKDIR /app
COPY --from=build --chown=root:root /out /app
# Nothing under /app is writable: the image runs with a read-only root
# filesystem; only /tmp (an emptyDir in Kubernetes, tmpfs in compose) is.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    LMS_COMPONENT=${SERVICE}
USER 10001:10001
EXPOSE ${PORT}
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server.js"]
