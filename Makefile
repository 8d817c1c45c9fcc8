# pidwatcher: the two commands a new user needs, and the ones CI and benchmarks use.
#
#   make run     build, then start the runtime (Gogo prompt) on the /proc reader
#   make test    every test suite: Maven (Surefire + in-framework bnd tests) and the kernel
#                module in QEMU guests; ends with "N passed, N failed"
#   make deps    install the system packages the tests need (Debian; run as root)
#   make soak    the load / soak test alone, 10 minutes (make test runs it for 2)

PIDWATCHER_HOME ?= $(CURDIR)/home
MVN ?= mvn -B
SOAK_DURATION ?= 10m

.PHONY: run build test soak deps bench-procfs bench-device bench-watchdog clean

build:
	$(MVN) -q install -DskipTests

run: build
	mkdir -p "$(PIDWATCHER_HOME)"
	cd "$(PIDWATCHER_HOME)" && exec java -Dpidwatcher.home="$(PIDWATCHER_HOME)" -jar "$(CURDIR)/features/target/pidwatcher.jar"

test:
	bash scripts/test-all

# LoadSoakTest of itests/pidwatcher.reliability.tests with a longer run (same test as in make test);
# SOAK_DURATION=30m for longer; -Dpidwatcher.seed=N via MVN="mvn -B -Dpidwatcher.seed=N" replays.
soak:
	$(MVN) verify -pl itests/pidwatcher.reliability.tests -am -Dtest='LoadSoakTest#fiveThousand*' \
		-Dsurefire.failIfNoSpecifiedTests=false -Dpidwatcher.soak.duration=$(SOAK_DURATION)

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
