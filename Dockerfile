# syntax=docker/dockerfile:1
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/aduan ./cmd/aduan

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libheif-examples \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data
COPY --from=build /out/aduan /usr/local/bin/aduan
ENV ADUAN_DATA_DIR=/data \
    ADUAN_HTTP_ADDR=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/aduan"]
CMD ["all"]
