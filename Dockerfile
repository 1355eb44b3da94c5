# Production image: gunicorn + whitenoise. Python 3.11 matches the machines the project is tested on.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint needs Pango; gettext compiles the translations; curl serves the health checks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
       fonts-dejavu-core gettext curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt

COPY . .
RUN python manage.py compilemessages --ignore=.venv -v 0 \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v 0 \
    && useradd --system --uid 10001 portal && mkdir -p /app/var/media && chown -R portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "5", "--timeout", "60", \
     "--access-logfile", "-"]
