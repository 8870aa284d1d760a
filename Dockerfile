# One image for every role of the scaled run mode (docker-compose.yml): the web app
# (gunicorn, the default CMD), the migration job, Celery workers and the one Celery beat.
#
#   docker build -t servicedesk:local .
#
# Runtime configuration comes from the environment only (see servicedesk/settings.py):
# DATABASE_URL, REDIS_URL, SECRET_KEY (required: DEBUG is off by default), ALLOWED_HOSTS,
# CSRF_TRUSTED_ORIGINS, SECURE_SSL_REDIRECT.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# GNU gettext: `compilemessages` needs msgfmt. (psycopg2-binary ships its own libpq.)
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Build-time steps run with a throwaway key that exists only in this RUN's environment;
# it is not baked into the image (no ENV/ARG) and is never used at runtime.
# collectstatic with DEBUG off uses whitenoise's CompressedManifestStaticFilesStorage, so
# a missing file referenced from CSS fails the build here rather than in production.
RUN export DEBUG=0 SECRET_KEY=build-time-dummy-key-not-used-at-runtime \
    && python manage.py compilemessages \
    && python manage.py collectstatic --noinput

# Run as an unprivileged user. The code stays root-owned and read-only for it; only var/
# (SQLite and the filesystem broker, used when DATABASE_URL / REDIS_URL are unset) and
# the home directory (gunicorn's control socket lives in ~/.gunicorn) are writable.
RUN groupadd --system --gid 10001 servicedesk \
    && useradd --system --uid 10001 --gid servicedesk --create-home \
        --home-dir /home/servicedesk --shell /usr/sbin/nologin servicedesk \
    && mkdir -p /app/var \
    && chown servicedesk:servicedesk /app/var
USER 10001:10001

EXPOSE 8000

CMD ["gunicorn", "servicedesk.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
