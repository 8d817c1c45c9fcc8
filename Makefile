# pidwatcher: the two commands a new user needs, and the ones CI and benchmarks use.
#
#   make run     build, then start the runtime (Gogo prompt) on the /proc reader
#   make test    every test suite: Maven (Surefire + in-framework bnd tests) and the kernel
#                module in QEMU guests; ends with "N passed, N failed". Checks first what the
#                machine lacks (scripts/test-setup): as root it installs it, otherwise it says
#                what is missing and that `sudo make deps` installs it
#   make deps    install the system packages the tests need (Debian; run as root)
#   make deb     build packaging/target/pidwatcher_<version>_all.deb and pidwatcher-dkms_..._all.deb
#   make soak    the load / soak test alone, 10 minutes (make test runs it for 2)

PIDWATCHER_HOME ?= $(CURDIR)/home
MVN ?= mvn -B
SOAK_DURATION ?= 10m

# JVM options of the runtime, one per line in bin/jvm.options (# comments); bin/pidwatcherd, and so
# the systemd unit, read the same file.
JVM_OPTIONS = $(shell sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$$//' -e '/^\#/d' -e '/^$$/d' bin/jvm.options 2>/dev/null)

.PHONY: run build test test-setup soak deps deb bench-procfs bench-device bench-watchdog clean

build:
	$(MVN) -q install -DskipTests

# The prompt; etc/ is made first, or FileInstall (which looks before the runtime could make it) says
# it is missing. Without a terminal (make run </dev/null) the runtime runs as a service instead.
run: build
	mkdir -p "$(PIDWATCHER_HOME)/etc"
	cd "$(PIDWATCHER_HOME)" && exec java $(JVM_OPTIONS) -Dpidwatcher.home="$(PIDWATCHER_HOME)" -jar "$(CURDIR)/features/target/pidwatcher.jar"

test: test-setup
	bash scripts/test-all

test-setup:
	bash scripts/test-setup

# LoadSoakTest of itests/pidwatcher.reliability.tests with a longer run (same test as in make test);
# SOAK_DURATION=30m for longer; -Dpidwatcher.seed=N via MVN="mvn -B -Dpidwatcher.seed=N" replays.
soak:
	$(MVN) verify -pl itests/pidwatcher.reliability.tests -am -Dtest='LoadSoakTest#fiveThousand*' \
		-Dsurefire.failIfNoSpecifiedTests=false -Dpidwatcher.soak.duration=$(SOAK_DURATION)

deps:
	bash scripts/install-deps
	$(MAKE) -C kmod deps

deb: build
	bash packaging/build-deb

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
