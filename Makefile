# The two commands of the README's quick start, and the checks CI adds.
.PHONY: run test lint release api-check

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
