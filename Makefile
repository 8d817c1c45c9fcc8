# pidwatcher: the two commands a new user needs, and the ones CI and benchmarks use.
#
#   make run     build, then start the runtime (Gogo prompt) on the /proc reader
#   make test    every test suite: Maven (Surefire + in-framework bnd tests) and the kernel
#                module in QEMU guests; ends with "N passed, N failed"
#   make deps    install the system packages the tests need (Debian; run as root)

PIDWATCHER_HOME ?= $(CURDIR)/home
MVN ?= mvn -B

.PHONY: run build test deps bench-procfs bench-device bench-watchdog clean

build:
	$(MVN) -q install -DskipTests

run: build
	mkdir -p "$(PIDWATCHER_HOME)"
	cd "$(PIDWATCHER_HOME)" && exec java -Dpidwatcher.home="$(PIDWATCHER_HOME)" -jar "$(CURDIR)/features/target/pidwatcher.jar"

test:
	bash scripts/test-all

deps:
	bash scripts/install-deps
	$(MAKE) -C kmod deps

bench-procfs: build
	bash scripts/bench-procfs

bench-device:
	$(MVN) -q verify -DskipTests
	bash scripts/bench-device

bench-watchdog: build
	bash scripts/bench-watchdog

clean:
	$(MVN) -q clean
	$(MAKE) -C kmod clean
