# One image for every PRIM role (`prim serve --role ...`), `prim migrate` and `prim cert`;
# compose.yaml runs it. Not built in this project's CI (the development machine has no
# Docker).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# prim/ is a tree of symlinks into the top-level folders: copy the whole context
# (.dockerignore keeps out state, caches, tests and the Node side), install, drop the source.
WORKDIR /src
COPY . .
RUN pip install './clients/python-sdk[trio,chat]' . && rm -rf /src

# A non-root user whose home holds the state: tls/ (the shared CA and certificate), data/
# (node.data_dir: a message node's write-ahead log) and blobs/ (uploads). Named volumes
# mounted there start out owned by this user.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/prim prim \
    && mkdir -p /var/lib/prim/tls /var/lib/prim/data /var/lib/prim/blobs \
    && chown -R prim:prim /var/lib/prim
USER prim
WORKDIR /var/lib/prim
ENV PRIM_NODE__DATA_DIR=/var/lib/prim/data

ENTRYPOINT ["prim"]
CMD ["serve", "--help"]
