# tlp-broker: one image for the api, the dispatcher and the command line.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
# The partner kit is packed at build time (scripts/build-partner-kit.ts) and handed out by the API.
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The STIX 2.1 JSON schemas the TAXII inbox validates with, read at run time from libs/stix/schemas.
COPY --from=build /app/libs/stix/schemas ./libs/stix/schemas
# The team key file lives here (a volume in docker-compose.yml), writable by the service user only.
RUN mkdir -p /var/lib/tlp-broker && chown node:node /var/lib/tlp-broker && chmod 700 /var/lib/tlp-broker
USER node
EXPOSE 3000
# Each process works to a 192 MB JavaScript heap (raise it here for very large partner lists).
ENV NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=4"
CMD ["node", "dist/apps/api/src/main.js"]
