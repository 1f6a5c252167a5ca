# One image for the web process (gunicorn), the Celery worker and Celery beat; docker-compose.yml runs all three.
FROM python:3.11-slim-bookworm

# PYTHONPATH: the code runs from /app (BASE_DIR must be /app so templates/, static/ and node_modules/ are found),
# never from the copy that `pip install .` puts in site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# WeasyPrint's libraries and fonts for PDF letters; Node.js and npm only to install the GOV.UK Frontend assets.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 fonts-liberation \
        nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (read from pyproject.toml), so code changes don't reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The application, copied path by path so a developer's .venv, node_modules and var/ never enter the image.
COPY manage.py ./
COPY config ./config
COPY schools ./schools
COPY cases ./cases
COPY interventions ./interventions
COPY legal ./legal
COPY reporting ./reporting
COPY templates ./templates
COPY static ./static
RUN pip install --no-deps .

# Static files are collected into var/staticfiles at build time and served by WhiteNoise. The key below exists
# only for this build step; the running containers must be given their own SECRET_KEY.
RUN DJANGO_DEBUG=false \
    SECRET_KEY=build-time-only-collectstatic-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin casework \
    && mkdir -p /app/var/media \
    && chown -R casework:casework /app/var
USER casework

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
