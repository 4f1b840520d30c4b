# AxonOps Schema Registry built from its Go module, as scripts/stack does.
FROM golang:1.26 AS build
RUN GOFLAGS=-modcacherw go mod download github.com/axonops/axonops-schema-registry@v0.2.1 \
 && cd "$(go env GOMODCACHE)/github.com/axonops/axonops-schema-registry@v0.2.1" \
 && CGO_ENABLED=0 go build -trimpath -o /schema-registry ./cmd/schema-registry
FROM gcr.io/distroless/static-debian12
COPY --from=build /schema-registry /schema-registry
EXPOSE 8081
ENTRYPOINT ["/schema-registry"]
