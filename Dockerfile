# syntax=docker/dockerfile:1
# Build stage: the same script CI runs (.ci/build), with CGO for SQLite.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN .ci/build /out/hsworkshop && mkdir -p /out/data

# Runtime: small glibc image (distroless/base has the libc the CGO SQLite
# driver links against), non-root, with a volume for the SQLite file.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /out/hsworkshop /usr/local/bin/hsworkshop
COPY --from=build --chown=65532:65532 /out/data /data
ENV ADDR=:8080 \
    DATABASE_URL=sqlite:/data/hsworkshop.db
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/hsworkshop", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/hsworkshop"]
CMD ["serve"]
