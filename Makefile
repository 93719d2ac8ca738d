# The two commands of the README's quick start, and the checks CI adds.
.PHONY: run test lint

run:
	scripts/run.sh

test:
	scripts/test.sh

lint:
	scripts/lint.sh
