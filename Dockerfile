# tracker-audit: the `scanner` command with Debian's Chromium, run as a non-root user.
#
#   docker build -t tracker-audit .
#   mkdir -p reports
#   docker run --rm -v "$PWD/reports:/work/reports" tracker-audit scan https://example.com/ --out reports/example
#   docker run --rm tracker-audit demo          # the built-in demo site, offline
#
# The reports land in /work (the working folder): mount a folder there to keep them. The image's user
# has uid 1000; when yours differs, add --user "$(id -u):$(id -g)" so that it may write to the mount.
# tools/docker_smoke.sh builds the image and runs `--version` and `demo` in it.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY . .
# A wheel of the project itself (its dependencies come from PyPI in the next stage).
RUN pip wheel --no-cache-dir --disable-pip-version-check --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="tracker-audit" \
      org.opencontainers.image.description="Website tracker and cookie auditor: crawls a site in Chromium and compares its trackers with the declared vendors" \
      org.opencontainers.image.licenses="MIT"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Debian's Chromium (the scanner finds /usr/lib/chromium/chromium) and the fonts pages expect.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl \
 && rm -rf /wheels
RUN useradd --uid 1000 --create-home --shell /usr/sbin/nologin scanner \
 && install -d -m 1777 /work /work/reports
# Any uid given with --user can write its browser profile and caches.
ENV HOME=/tmp
WORKDIR /work
USER scanner
ENTRYPOINT ["scanner"]
CMD ["--help"]
