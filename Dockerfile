# Jieneng: the all-in-one process (API on 8080, MQTT on 1883) for production with InfluxDB
# (see docker-compose.yml). `npm start` checks its bundles with tsx first, so devDependencies stay in.
FROM node:24-bookworm-slim

WORKDIR /app

COPY package.json package-lock.json ./
# The lockfile holds every platform's optional binaries: `npm ci` alone, no fallback.
RUN npm ci --no-audit --no-fund

COPY . .
# The officers' web page and the platform's bundle, built once into the image (the app runs as an
# unprivileged user, and `npm start` finds both up to date).
RUN npm run build:web && npm run build:server
RUN mkdir -p /data && chown node:node /data

ENV STORE=influx \
    DEMO=off \
    HOST=0.0.0.0 \
    PORT=8080 \
    MQTT_HOST=0.0.0.0 \
    MQTT_PORT=1883 \
    DATA_DIR=/data

USER node
EXPOSE 8080 1883
VOLUME ["/data"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "start"]
