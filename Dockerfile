FROM node:22-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY assets ./assets
RUN npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && useradd --system --uid 1001 nwd
COPY --from=assets /src/assets/build ./assets/build
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0
USER nwd
EXPOSE 8000
