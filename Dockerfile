# Parley server image: docker build -t parley . && docker run -p 8080:8080 -v parley-data:/app/data parley
# Build stage: dev dependencies compile the server and the web UI.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies and the compiled output only.
FROM node:24-bookworm-slim
ENV NODE_ENV=production PARLEY_HOST=0.0.0.0 PARLEY_PORT=8080 PARLEY_LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
# /app is root's: the embedded store's directory (the default --data-dir, /app/data) is made for the user the
# server runs as. Mount a volume there to keep one instance's history; several instances use PostgreSQL instead.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force && install -d -o node -g node /app/data
COPY --from=build /app/dist ./dist
USER node
VOLUME /app/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PARLEY_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Node as PID 1 receives SIGTERM from `docker stop` and drains (give it --stop-timeout 30).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/cli.js", "serve"]
