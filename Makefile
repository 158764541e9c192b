.PHONY: build run test provision bench fmt vet clean

build:
	go build -o bin/aduan ./cmd/aduan

run:
	scripts/run.sh

test:
	scripts/test.sh $(ARGS)

provision:
	scripts/provision.sh

bench:
	scripts/bench-create.sh

fmt:
	go fmt ./...

vet:
	go vet ./...

clean:
	rm -rf bin coverage.* cover.out
