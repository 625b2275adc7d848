# synthnet - top-level entry points.  The two commands a user needs:
#   make demo   build, start synthnetd, two guests, ping + iperf3, clean up
#   make test   install missing packages, build, run every test suite
# Everything else is meson/ninja underneath (see README.md).

BUILD      ?= build
BUILD_ASAN ?= build-asan
MESON_OPTS ?= -Dwerror=true

# Debian 12 packages the build, the tests and the demo need.
DEB_PKGS = gcc make pkg-config meson ninja-build \
	libdpdk-dev libcmocka-dev libpcap-dev libnl-3-dev libnl-route-3-dev \
	iproute2 iputils-ping iperf3 procps python3 tshark dnsmasq-base tcpdump

.PHONY: all deps build build-asan test test-unit test-asan test-integration demo clean

all: build

# Installs only what is missing, so a prepared machine pays nothing.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

$(BUILD_ASAN)/build.ninja:
	meson setup $(BUILD_ASAN) $(MESON_OPTS) -Db_sanitize=address,undefined -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-asan: deps $(BUILD_ASAN)/build.ninja
	ninja -C $(BUILD_ASAN)

test-unit: build
	meson test -C $(BUILD) --suite unit --print-errorlogs

# Daemon, guests and namespaces (root; each test cleans up after itself).
test-integration: build
	meson test -C $(BUILD) --suite integration --print-errorlogs --num-processes 1

# Codec suites again under AddressSanitizer + UndefinedBehaviorSanitizer;
# any UB report fails the test.
test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C $(BUILD_ASAN) --suite unit --print-errorlogs

test: test-unit test-asan test-integration
	@echo "make test: all suites passed"

demo: build
	bash tools/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
