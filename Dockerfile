# syntax=docker/dockerfile:1.7
# Build stage: compile TypeScript with the dev dependencies, which never reach the final image.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY src ./src
RUN npm run build

# Production dependencies only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    GRPC_PORT=9090 \
    HTTP_PORT=8080
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node proto ./proto
COPY --chown=node:node package.json ./
# The image's built-in unprivileged user; the chart also runs with a read-only root filesystem.
USER node
EXPOSE 9090 8080
# exec form: node is PID 1's direct child of nothing, so SIGTERM reaches it and it drains.
ENTRYPOINT ["node", "dist/main.js"]
