# AxonOps Schema Registry built from its Go module, as scripts/stack does.
FROM golang:1.26.0-bookworm AS build
RUN GOFLAGS=-modcacherw go mod download github.com/axonops/axonops-schema-registry@v0.2.1 \
 && cd "$(go env GOMODCACHE)/github.com/axonops/axonops-schema-registry@v0.2.1" \
 && CGO_ENABLED=0 go build -trimpath -o /schema-registry ./cmd/schema-registry
# busybox rather than distroless: the static binary runs the same, and the healthcheck needs wget.
FROM busybox:1.37.0
COPY --from=build /schema-registry /schema-registry
USER 65534
EXPOSE 8081
ENTRYPOINT ["/schema-registry"]
