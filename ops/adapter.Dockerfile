FROM node:24.21.0-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY connectors ./connectors
COPY schemas ./schemas
COPY tsconfig.json ./
USER node
EXPOSE 9400
ENTRYPOINT ["node", "bin/vss-bridge.mjs"]
CMD ["run"]
