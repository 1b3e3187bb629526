# syntax=docker/dockerfile:1
# Proxima: a multi-stage image. The builder installs the dependencies and the project into a venv;
# the runtime stage copies that venv and the source, and runs as the unprivileged user `proxima`.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# the dependencies first, from pyproject.toml alone, so a code change does not reinstall them
COPY pyproject.toml ./
RUN python -c "import tomllib, pathlib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; pathlib.Path('/tmp/requirements.txt').write_text('\n'.join(deps) + '\n')" \
    && pip install --no-cache-dir -r /tmp/requirements.txt
COPY . .
# installed from /app in place: the `proxima` command finds alembic.ini and migrations/ beside the app package
RUN pip install --no-cache-dir --no-deps --editable . \
    && proxima --help > /dev/null

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PROXIMA_WORKERS=2
RUN groupadd --system --gid 10001 proxima \
    && useradd --system --uid 10001 --gid proxima --home-dir /app --no-create-home --shell /usr/sbin/nologin proxima
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app/app ./app
COPY alembic.ini ./
COPY migrations ./migrations
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/proxima-entrypoint
# var/ holds the embedded SQLite database when PROXIMA_DATABASE_URL is not set
RUN mkdir -p /app/var && chown proxima:proxima /app/var
# the user `proxima` (numeric, so a runtime can check it is not root)
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["/usr/local/bin/proxima-entrypoint"]
