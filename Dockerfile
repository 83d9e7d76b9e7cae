# One image for every part of mtvweb: the web console (daphne), the workers (qcluster), and the
# transfer and conversion Pods the engine starts on the cluster (python -m mtvweb.pods.*).
# Build: docker build -t quay.io/mtvweb/mtvweb:latest .

FROM docker.io/library/node:20-bookworm-slim AS static
WORKDIR /build
COPY package.json package-lock.json scripts/lib/vendor-static.sh ./
RUN npm ci --no-audit --no-fund && bash vendor-static.sh node_modules /build/vendor

FROM docker.io/library/python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends qemu-utils nbdkit libnbd-bin libxml2 libcurl4 \
        gcc libxml2-dev libcurl4-openssl-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY mtvweb mtvweb
COPY providers providers
COPY mappings mappings
COPY plans plans
RUN pip install --no-cache-dir . && apt-get purge -y gcc libxml2-dev libcurl4-openssl-dev libssl-dev && apt-get autoremove -y
COPY manage.py ./
COPY templates templates
COPY static static
COPY --from=static /build/vendor static/vendor
ENV DJANGO_SETTINGS_MODULE=mtvweb.settings MTVWEB_DATA_DIR=/var/lib/mtvweb PYTHONUNBUFFERED=1
RUN mkdir -p /var/lib/mtvweb && useradd --uid 1001 --home-dir /var/lib/mtvweb mtvweb && chown mtvweb /var/lib/mtvweb
USER 1001
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "mtvweb.asgi:application"]
