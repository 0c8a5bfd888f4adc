# The portal image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORTAL_VAR_DIR=/app/var \
    DJANGO_STATIC_ROOT=/app/staticfiles

# fonts-noto-cjk: Chinese glyphs in generated PDFs and charts; gettext: compilemessages;
# libpango*/libharfbuzz-subset0: WeasyPrint's text layout and font subsetting (PDF reports), which
# python:3.11-slim lacks. tests/portal/test_docker_image.py renders a PDF with exactly this list.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk gettext \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# Production settings refuse to load without secrets; these placeholders exist only in this step.
RUN if [ -d locale ]; then \
        DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost \
        python manage.py compilemessages --ignore=.venv; \
    fi \
    && useradd --system --uid 1000 --home-dir /app --no-create-home portal \
    && mkdir -p /app/var /app/staticfiles \
    && chown -R portal /app/var /app/staticfiles

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
