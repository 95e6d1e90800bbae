# The helpdesk bot (and, in docker-compose.yml, the SMTP relay). The sources run through tsx, a
# runtime dependency, so there is no build step; dev dependencies are installed too (`npm ci`)
# because the image is also used to run the test relay.
FROM node:20-slim

WORKDIR /app
RUN chown node:node /app
USER node

COPY --chown=node:node package.json package-lock.json ./
RUN npm ci && npm cache clean --force

COPY --chown=node:node . .

CMD ["node", "bin/helpdesk.mjs", "start"]
