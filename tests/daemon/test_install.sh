#!/usr/bin/env bash
# make install puts programs, BPF objects, config sample, man pages and the unit where
# they belong, and what it installs works; man pages are free of mandoc warnings.
. "$(dirname "$0")/../lib.sh"
t_tmpdir
dest="$T/root"

if make -C "$NWIT_TOP" -s install O="$NWIT_BUILD" DESTDIR="$dest" PREFIX=/usr >"$T/log" 2>&1; then
	t_pass "make install DESTDIR=... PREFIX=/usr"
else
	t_fail "make install" "$(tail -5 "$T/log")"
fi
for f in usr/sbin/nwitd usr/bin/nwitctl etc/nwit/nwit.conf.sample usr/share/man/man5/nwit.conf.5 \
	 usr/share/man/man8/nwitd.8 usr/share/man/man8/nwitctl.8 lib/systemd/system/nwitd.service; do
	[ -f "$dest/$f" ] && t_pass "installed $f" || t_fail "installed $f"
done
ls "$dest"/usr/lib/nwit/bpf/*.bpf.o >/dev/null 2>&1 && t_pass "installed BPF objects" || t_fail "installed BPF objects"
grep -q "^ExecStart=/usr/sbin/nwitd -s -f /etc/nwit/nwit.conf$" "$dest/lib/systemd/system/nwitd.service" &&
	t_pass "unit runs the installed nwitd" || t_fail "unit runs the installed nwitd"
grep -qx "bpf_object_dir = /usr/lib/nwit/bpf" "$dest/etc/nwit/nwit.conf.sample" &&
	t_pass "sample names the installed BPF folder" || t_fail "sample names the installed BPF folder"
t_check "installed nwitd checks the installed sample" "$dest/usr/sbin/nwitd" -n -f "$dest/etc/nwit/nwit.conf.sample"

if command -v mandoc >/dev/null; then
	for page in "$NWIT_TOP"/docs/*.[58]; do
		out=$(mandoc -T lint -W warning "$page" 2>&1)
		[ -z "$out" ] && t_pass "mandoc lint $(basename "$page")" || t_fail "mandoc lint $(basename "$page")" "$out"
	done
else
	t_skip "mandoc lint" "mandoc is not installed"
fi
t_done
