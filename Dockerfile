# Build: pure Go (the embedded store's SQLite is pure Go too), so a static binary.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/exchangeeval ./cmd/exchangeeval

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/exchangeeval /usr/local/bin/exchangeeval
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/exchangeeval"]
CMD ["serve", "--addr", ":8080"]
