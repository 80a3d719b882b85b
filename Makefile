# Makefile - the two commands of the README: `make run` and `make test`.
# Both install missing Debian packages (as root; otherwise they print the
# apt-get line), configure with CMake into build/ and build.  CMake does the rest.

# Build and test dependencies, all Debian 12 packages.
DEPS := cmake make gcc clang pkg-config xz-utils \
	libhwloc-dev hwloc-nox libnuma-dev libvirt-dev libvirt-clients \
	libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 \
	libxml2-dev libxml2-utils libncurses-dev libjson-c-dev libinih-dev \
	libcmocka-dev libclang-rt-14-dev clang-format tmux python3 util-linux gdb

JOBS ?= 2
HVTUNE := build/tui/hvtune

.PHONY: all deps build run test clean

all: build

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "missing Debian packages; as root run:"; \
			echo "  apt-get install $$missing"; \
			exit 1; \
		fi; \
	fi

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j$(JOBS)

# The main job on this host: is it ready (exit 1 when a check fails), then its facts.
run: build
	@rc=0; $(HVTUNE) check || rc=$$?; echo; $(HVTUNE) probe && [ $$rc -le 1 ]

# The whole suite twice: gcc -Werror, then clang with ASan + UBSan.
test: build
	cmake -S . -B build-asan -DCMAKE_C_COMPILER=clang -DSANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-asan -j$(JOBS)
	@bash tests/machine-facts.sh
	cd build && ctest --output-on-failure -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j$(JOBS)

clean:
	rm -rf build build-asan
