# syntax=docker/dockerfile:1
# The production image: gunicorn serving the app installed from its wheel, with every setting from
# the environment (README, "Production" and "Settings"). docker compose builds it; so does
# `docker build -t no-wrong-door .`. tests/deploy/test_compose.py runs what it describes.

# 1. Front-end assets: GOV.UK Frontend compiled with Arial, and Chart.js, into core/static/.
FROM node:22-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY assets ./assets
RUN npm run build

# 2. The application wheel: every app with its templates, migrations and the compiled assets.
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
COPY --from=assets /src/core/static ./core/static
RUN pip wheel --no-deps --no-cache-dir --wheel-dir /dist .

# 3. The runtime, as a user without privileges.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings STATIC_ROOT=/app/staticfiles \
    PORT=8000 WEB_CONCURRENCY=3
# Pango, and a metric-compatible Arial, for the letters' PDFs (WeasyPrint, complaints/documents.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 1001 --user-group --create-home --home-dir /app nwd \
 && install -d -o nwd -g nwd /var/lib/nwd /var/lib/nwd/private-media
WORKDIR /app
# The dependencies, read from pyproject.toml alone: this layer is rebuilt only when they change,
# not on every change to the code.
COPY pyproject.toml /tmp/pyproject.toml
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt
COPY --from=wheel /dist /dist
RUN pip install --no-cache-dir --no-deps /dist/*.whl && rm -rf /dist \
 && SECRET_KEY=collectstatic-only django-admin collectstatic --noinput -v 0
USER nwd
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-m", "config.healthcheck", "web"]
# gunicorn binds 0.0.0.0:$PORT and runs $WEB_CONCURRENCY workers (both read by gunicorn itself).
CMD ["gunicorn", "config.wsgi:application", "--access-logfile", "-", "--timeout", "30", "--graceful-timeout", "20"]
