# The two commands of the README's quick start, and the checks CI adds.
.PHONY: run test lint release api-check fuzz soak bench bench-cluster cluster

run:
	scripts/run.sh

test:
	scripts/test.sh

lint:
	scripts/lint.sh

release:
	scripts/release.sh

api-check:
	scripts/api-check.sh

fuzz:
	scripts/fuzz.sh

soak:
	scripts/load.sh soak

bench:
	scripts/load.sh bench

bench-cluster:
	scripts/load.sh bench-cluster

cluster:
	scripts/cluster.sh
