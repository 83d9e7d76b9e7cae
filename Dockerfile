# syntax=docker/dockerfile:1.7
# (ADD --checksum, for the vddk plugin's source)
# One image for every part of mtvweb: the web console (daphne), the workers (qcluster), and the
# transfer, conversion and hook Pods the engine starts on the cluster (python -m mtvweb.pods.*).
# Build: docker build -t quay.io/mtvweb/mtvweb:latest .
# The lab builds the same root filesystem without a container engine (python -m lab image): both
# run image/install.sh on Debian bookworm with image/debian-packages.txt and pyproject.toml.

FROM docker.io/library/node:20-bookworm-slim AS static
WORKDIR /build
COPY package.json package-lock.json scripts/lib/vendor-static.sh ./
RUN npm ci --no-audit --no-fund && bash vendor-static.sh node_modules /build/vendor

# OPA from the Go module the lab builds it from (tools/opa pins the version).
FROM docker.io/library/golang:1.26-bookworm AS opa
WORKDIR /build
COPY tools/opa ./
RUN CGO_ENABLED=0 go build -trimpath -o /build/opa .

FROM docker.io/library/debian:bookworm-slim
COPY image/ pyproject.toml /tmp/mtvweb-image/
# the nbdkit source of the vddk plugin: the url and sha256 of image/vddk-source.txt
ADD --checksum=sha256:cc6e451f7f6e33243ade6a5451465734bbd90142b84630bde0e0747f5656c2eb \
    http://deb.debian.org/debian/pool/main/n/nbdkit/nbdkit_1.42.3.orig.tar.gz /tmp/mtvweb-image/
RUN sh /tmp/mtvweb-image/install.sh && rm -rf /tmp/mtvweb-image
COPY --from=opa /build/opa /usr/local/bin/opa
WORKDIR /app
COPY manage.py ./
COPY mtvweb mtvweb
COPY providers providers
COPY mappings mappings
COPY plans plans
COPY templates templates
COPY static static
COPY --from=static /build/vendor static/vendor
ENV PATH=/opt/mtvweb/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONPATH=/app DJANGO_SETTINGS_MODULE=mtvweb.settings MTVWEB_DATA_DIR=/var/lib/mtvweb PYTHONUNBUFFERED=1
RUN mkdir -p /var/lib/mtvweb && useradd --uid 1001 --home-dir /var/lib/mtvweb mtvweb && chown mtvweb /var/lib/mtvweb
USER 1001
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "mtvweb.asgi:application"]
