# nwit — Native WebRTC/IMS Translation
#
#   make               build BPF objects, skeletons, nwitd and nwitctl into $(O)/
#   make check         install dependencies, build, run every test layer
#   make test          run the tests without installing anything (LAYERS=unit,bpf,...)
#   make demo          install dependencies, build, run the main job in the network lab
#   make asan          build with ASan+UBSan into build-asan/
#   make fuzz          build the libFuzzer harnesses
#   make bench         run the benchmarks (see docs/benchmarks.md)
#   make vmcheck       run the kernel lab (tests in Debian kernels under qemu, docs/kernel-lab.md)
#   make kmod KDIR=..  build the optional kernel module out of tree
#   make install DESTDIR=... PREFIX=/usr
#   V=1 for verbose commands; VMLINUX_H=path to use a given vmlinux.h.

.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:

VERSION := 0.1.0
O ?= build
V ?= 0
ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
BPF_CLANG ?= clang-19
FUZZ_CC ?= clang-19
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

PKGS := libevent libbpf openssl inih jansson libosip2 libmnl libnftnl zlib libevent_openssl usrsctp expat \
	opus speexdsp opencore-amrwb opencore-amrnb vo-amrwbenc
# The audio transcoder (userspace/lib/codec/): every one of these Debian -dev packages ships
# a .pc file (opencore-amr 0.1.6, vo-amrwbenc 0.1.3), so no plain -l flags are needed.
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lwslay
TEST_LIBS := $(shell $(PKG_CONFIG) --libs cmocka libsrtp2 2>/dev/null) -lm

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
SAN_FLAGS ?=
CFLAGS ?= -O2 -g
ALL_CFLAGS := $(CFLAGS) $(SAN_FLAGS) -std=gnu11 $(WARN) -D_GNU_SOURCE \
	-DNWIT_VERSION='"$(VERSION)"' -DNWIT_BPF_DIR='"$(PREFIX)/lib/nwit/bpf"' -Iinclude -Iuserspace/lib -I$(O) $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SAN_FLAGS) -Wl,--as-needed

# userspace/lib/<subsystem>/*.c -> libnwit.a; includes name the subsystem ("sip/sip_msg.h").
LIB_SRCS := $(wildcard userspace/lib/*/*.c)
# userspace/nwitd/*.c and its parts' folders (app/, ims/, calls/, ...); nwitd's own headers
# are included from userspace/nwitd ("calls/b2bua.h"), and only by nwitd.
NWITD_SRCS := $(wildcard userspace/nwitd/*.c userspace/nwitd/*/*.c)
NWITCTL_SRCS := $(wildcard userspace/nwitctl/*.c)
# BPF objects only benchmarks load (bpf/nwit_bench*.bpf.c): built by `make bench`, never
# installed, not needed by `all` or `check`.
BENCH_BPF_SRCS := $(wildcard bpf/nwit_bench*.bpf.c)
BPF_SRCS := $(filter-out $(BENCH_BPF_SRCS),$(wildcard bpf/*.bpf.c))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
BPFTEST_SRCS := $(wildcard tests/bpf/test_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))
LIB := $(O)/libnwit.a
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(O)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(O)/%.skel.h,$(BPF_SRCS))
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(UNIT_SRCS))
BPFTEST_BINS := $(patsubst tests/bpf/%.c,$(O)/tests/bpf/%,$(BPFTEST_SRCS))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(O)/tests/fuzz/%,$(FUZZ_SRCS))
BENCH_BINS := $(patsubst tests/bench/%.c,$(O)/tests/bench/%,$(BENCH_SRCS))
BENCH_SKELS := $(patsubst bpf/%.bpf.c,$(O)/%.skel.h,$(BENCH_BPF_SRCS)) $(O)/nwit_bench_base.skel.h
# The baseline of bench_fastpath: the fast path of this revision, built here as it was
# built then (no -mcpu), next to today's code in the same run.
BENCH_BASE_REV ?= 323f10e
PROGS := $(O)/nwitd $(O)/nwitctl

.PHONY: all check check-includes test demo asan fuzz bench kmod install deps clean lab-down
all: $(BPF_OBJS) $(SKELS) $(PROGS) $(UNIT_BINS) $(BPFTEST_BINS)

deps:
	$(Q)scripts/install-deps.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory fuzz
	$(Q)$(MAKE) --no-print-directory asan
	$(Q)tests/run.sh --build $(O) --asan-build build-asan

# no #include cycle in userspace/ (also run by the daemon layer: test_include_graph.sh)
check-includes:
	$(Q)scripts/check-includes.py

test: all
	$(Q)tests/run.sh --build $(O) $(if $(LAYERS),--layers $(LAYERS))

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo.sh --build $(O) $(DEMO_ARGS)

lab-down:
	$(Q)scripts/lab.sh down

asan:
	$(Q)$(MAKE) --no-print-directory O=build-asan SAN_FLAGS='-fsanitize=address,undefined -fno-omit-frame-pointer' all

bench: all $(BENCH_SKELS) $(BENCH_BINS)
	$(Q)scripts/bench.sh --build $(O)

# --- BPF -------------------------------------------------------------------
ifdef VMLINUX_H
$(O)/vmlinux.h: $(VMLINUX_H)
	$(Q)mkdir -p $(@D) && cp $< $@
else
$(O)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && $(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@
endif

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
	-Iinclude -Ibpf -I$(O) -MMD -MP

$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(O)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/bench-base/.rev-$(BENCH_BASE_REV):
	$(call msg,GIT,$@)
	$(Q)rm -rf $(O)/bench-base && mkdir -p $(O)/bench-base/src && \
		git archive $(BENCH_BASE_REV) bpf include | tar -x -C $(O)/bench-base/src && touch $@

$(O)/bpf/nwit_bench_base.bpf.o: $(O)/bench-base/.rev-$(BENCH_BASE_REV) $(O)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(BPF_CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
		-I$(O)/bench-base/src/include -I$(O)/bench-base/src/bpf -I$(O) \
		-c $(O)/bench-base/src/bpf/nwit_fastpath.bpf.c -o $@

$(O)/%.skel.h: $(O)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# --- userspace ---------------------------------------------------------------
$(O)/obj/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(call obj,$(NWITD_SRCS)): ALL_CFLAGS += -Iuserspace/nwitd

$(O)/nwitd: $(call obj,$(NWITD_SRCS)) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(O)/nwitctl: $(call obj,$(NWITCTL_SRCS)) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# --- tests -------------------------------------------------------------------
$(O)/tests/unit/%: $(O)/obj/tests/unit/%.o $(LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(O)/tests/bpf/%: $(O)/obj/tests/bpf/%.o $(LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# Benchmarks: built by `make bench` only, run by scripts/bench.sh.
$(call obj,$(BENCH_SRCS)): | $(BENCH_SKELS)
$(O)/tests/bench/%: $(O)/obj/tests/bench/%.o $(LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# Fuzz harnesses: the library compiled again with clang and libFuzzer's sanitizers.
FUZZ_CFLAGS := -g -O1 -D_GNU_SOURCE -Iinclude -Iuserspace/lib -I$(O) $(PKG_CFLAGS)
FUZZ_SAN := address,undefined
FUZZ_LIB_OBJS := $(patsubst %.c,$(O)/fuzz-obj/%.o,$(LIB_SRCS))

$(O)/fuzz-obj/%.o: %.c | $(SKELS)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

$(O)/tests/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_OBJS)
	$(call msg,FUZZLD,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $^ $(PKG_LIBS)

fuzz: $(FUZZ_BINS)

# --- kernel lab: probes run inside Debian kernels under qemu (docs/kernel-lab.md) ----
VM_BPF_OBJS := $(patsubst tests/vm/%.bpf.c,$(O)/tests/vm/%.bpf.o,$(wildcard tests/vm/*.bpf.c))
VM_BINS := $(O)/tests/vm/kfeat
all: $(VM_BPF_OBJS) $(VM_BINS)

$(O)/tests/vm/%.bpf.o: tests/vm/%.bpf.c $(O)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/tests/vm/kfeat: tests/vm/kfeat.c
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(SAN_FLAGS) -std=gnu11 $(WARN) -D_GNU_SOURCE -o $@ $< \
		$(shell $(PKG_CONFIG) --libs libbpf)

.PHONY: vmcheck
vmcheck: all
	$(Q)tests/run.sh --build $(O) --layers vm
	$(Q)scripts/vm/feature-matrix.py --update docs/fastpath.md $(O)/vm-results

# --- optional kernel module ----------------------------------------------------
KDIR ?= /lib/modules/$(shell uname -r)/build
kmod:
ifneq ($(wildcard kmod/Kbuild),)
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules
else
	@echo "kmod: no kernel module in this release (see kmod/README.md); the fast path needs none" >&2
	@false
endif

# --- install -------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/lib/nwit/bpf $(DESTDIR)/etc/nwit \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)/lib/systemd/system
	install -m 0755 $(O)/nwitd $(DESTDIR)$(PREFIX)/sbin/nwitd
	install -m 0755 $(O)/nwitctl $(DESTDIR)$(PREFIX)/bin/nwitctl
	$(if $(BPF_OBJS),install -m 0644 $(BPF_OBJS) $(DESTDIR)$(PREFIX)/lib/nwit/bpf/)
	sed 's|^bpf_object_dir = .*|bpf_object_dir = $(PREFIX)/lib/nwit/bpf|' docs/nwit.conf.sample \
		> $(DESTDIR)/etc/nwit/nwit.conf.sample
	install -m 0644 docs/nwit.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 docs/nwitd.8 docs/nwitctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|@SBINDIR@|$(PREFIX)/sbin|' scripts/nwitd.service.in > $(DESTDIR)/lib/systemd/system/nwitd.service

clean:
	rm -rf $(O) build-asan

-include $(shell find $(O)/obj $(O)/bpf $(O)/fuzz-obj -name '*.d' 2>/dev/null)
