# shellcheck shell=sh
# Installs ovs-kni's Debian packages in the test guest, runs them with
# Debian's own scripts, and purges them (tests/package.at).
#
#   sh package-guest.sh DEBDIR CACHE [DKMS-TARBALL]
#
# Runs as root in the guest, whose root is the host's under a private
# overlay that vanishes with the guest: nothing here touches the host.
# DEBDIR holds our packages ("make deb"), CACHE Debian's openvswitch-switch,
# openvswitch-common and the packages they need that the host lacks
# ("kni-mkdeb --fetch-debian").  DKMS-TARBALL, if given, is a DKMS tarball
# of the module prebuilt on the host, which kni-dkms's postinst loads
# instead of compiling (see tests/package.at for why).
#
# Writes, in the working directory (the group's directory):
#   package-transcript.txt  every command run, with its output
#   results.txt             the facts tests/package.at checks
#   failed.txt              the command that failed, if one did (the
#                           script stops there and exits non-zero)

set -e

debdir=$1
cache=$2
tarball=${3-}

# Debian's programs, not the build trees' that the host's PATH has first.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DEBIAN_FRONTEND=noninteractive
export PATH DEBIAN_FRONTEND
unset OVS_RUNDIR OVS_LOGDIR OVS_DBDIR OVS_SYSCONFDIR OVS_PKGDATADIR OVS_BINDIR
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
DPDK_EXTRA="--no-pci --no-huge -m 1024 --legacy-mem --no-shconf --no-telemetry"

T=$PWD/package-transcript.txt
R=$PWD/results.txt
: > "$T"
: > "$R"
rm -f failed.txt

# fail TEXT: the end.
fail () {
    echo "package-guest: $*" | tee failed.txt >&2
    exit 1
}
start=$(date +%s)

# note LINE...: a comment in the transcript, one "# LINE" per argument,
# after an empty line.
note () {
    printf '\n' >> "$T"
    printf '# %s\n' "$@" >> "$T"
}

# step CMD: runs the shell command CMD, writes "$ CMD" and its output to the
# transcript, with the time it took when it took a while; stops the script
# if CMD fails.
step () {
    printf '$ %s\n' "$1" >> "$T"
    step_t0=$(date +%s)
    step_rc=0
    eval "$1" >> "$T" 2>&1 < /dev/null || step_rc=$?
    step_t=$(($(date +%s) - step_t0))
    if test $step_t -ge 2; then
        printf '[%d s]\n' $step_t >> "$T"
    fi
    if test $step_rc != 0; then
        printf '[exit status %d]\n' $step_rc >> "$T"
        fail "failed: $1 (see $T)"
    fi
}

# result TEXT: a line for tests/package.at.
result () {
    printf '%s\n' "$*" >> "$R"
}

# wait_for CMD: runs CMD every 0.5 s until it succeeds, for up to 60 s.
wait_for () {
    wait_i=0
    until eval "$1" > /dev/null 2>&1; do
        wait_i=$((wait_i + 1))
        if test $wait_i -gt 120; then
            printf '$ %s\n[timed out after 60 s]\n' "$1" >> "$T"
            fail "timed out: $1 (see $T)"
        fi
        sleep 0.5
    done
}

vswitchd_exe () {
    readlink -f "/proc/$(cat /var/run/openvswitch/ovs-vswitchd.pid)/exe"
}

# alternative: "VALUE (STATUS)" of the ovs-vswitchd alternative.
alternative () {
    update-alternatives --query ovs-vswitchd \
        | awk '/^Status: / { s = $2 } /^Value: / { v = $2 }
               END { print v " (" s ")" }'
}

cat >> "$T" <<EOF
Transcript of the package-install test of ovs-kni (tests/package.at): our
Debian packages installed with Debian's openvswitch-switch in a QEMU guest
booting $(uname -r) on this machine's Debian $(cat /etc/debian_version) root
(under an overlay private to the guest), Open vSwitch started with Debian's
ovs-ctl, a ping between two kni ports in two network namespaces, Open
vSwitch stopped, the packages purged.
EOF

note "Maintainer scripts may not start services here, as in any chroot;" \
     "man-db's index is not rebuilt after each package (TCG is slow)."
step "printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d"
step "rm -f /var/lib/man-db/auto-update"

note "Debian's Open vSwitch, and the packages it needs that this root lacks."
step "ls $cache"
step "dpkg -i $cache/*.deb"
step "update-alternatives --query ovs-vswitchd"

note "Our packages."
if test -n "$tarball"; then
    note "The module prebuilt on the host by DKMS for this kernel, where" \
         "kni-dkms's postinst (dkms's common.postinst) looks for a DKMS" \
         "tarball before it compiles (compiling here, under TCG, takes over" \
         "two minutes a kernel)."
    step "mkdir -p /usr/share/kni-dkms && cp $tarball /usr/share/kni-dkms/ && tar -tzf $tarball | grep 'kni.ko'"
    note "The headers of the running kernel only, as on a machine that" \
         "installs them for the kernel it runs: the postinst skips the others."
    for b in /lib/modules/*/build; do
        if test "$b" != "/lib/modules/$(uname -r)/build"; then
            step "rm $b"
        fi
    done
fi
step "ls $debdir/*.deb"
for f in "$debdir"/*.deb; do
    step "dpkg-deb -f $f Package Version Architecture Depends Recommends"
done
step "dpkg -i $debdir/kni-dkms_*.deb $debdir/openvswitch-switch-kni_*.deb $debdir/libkni-dev_*.deb"
step "dpkg -l kni-dkms openvswitch-switch-kni libkni-dev openvswitch-switch openvswitch-common | tail -n 5"
step "dkms status kni"
step "update-alternatives --query ovs-vswitchd"
step "readlink -f /usr/sbin/ovs-vswitchd"
result "installed: $(alternative)"
step "cat /usr/lib/modules-load.d/kni.conf"
step "pkg-config --modversion kni && pkg-config --cflags --libs kni"
note "A program written for DPDK's rte_kni API builds against libkni-dev."
step "pkg-config --cflags --libs rte_kni"
step "cc -O2 -o /tmp/kni-example $KNI_TOP_SRCDIR/examples/kni.c \$(pkg-config --cflags --libs rte_kni)"

note "The module DKMS installed, loaded."
step "modinfo -n kni"
# (Compressed as the kernel's own modules are: kni.ko.xz on 6.12.)
result "module: $(modinfo -n kni | sed "s|/lib/modules/$(uname -r)/||;s/\.\(xz\|zst\|gz\)\$//")"
step "modprobe kni"
step "ls -l /dev/kni"

note "Open vSwitch started with Debian's ovs-ctl: ovsdb-server first, DPDK" \
     "configured, then ovs-vswitchd, /usr/sbin/ovs-vswitchd, which is ours."
step "$OVS_CTL start --no-ovs-vswitchd --system-id=random"
step "ovs-vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true other_config:dpdk-extra='$DPDK_EXTRA'"
step "$OVS_CTL start --no-ovsdb-server"
step "readlink -f /proc/\$(cat /var/run/openvswitch/ovs-vswitchd.pid)/exe"
result "running: $(vswitchd_exe)"
wait_for "test \"\$(ovs-vsctl get Open_vSwitch . dpdk_initialized)\" = true"
step "ovs-vsctl get Open_vSwitch . dpdk_initialized"
step "ovs-vsctl get Open_vSwitch . iface_types"
if ovs-vsctl get Open_vSwitch . iface_types | grep -q '\bkni\b'; then
    result "iface_types: kni"
else
    result "iface_types: no kni"
fi

note "A netdev bridge with two kni ports, their kernel sides in two namespaces."
for m in tun veth; do
    modprobe $m 2>/dev/null || true
done
step "ovs-vsctl set Open_vSwitch . other_config:pmd-cpu-mask=0x2"
step "ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev"
for i in 1 2; do
    step "ovs-vsctl add-port br0 kni$i -- set Interface kni$i type=kni"
    step "ip netns add ns$i"
    step "ip link set kni$i netns ns$i"
    step "ip -n ns$i addr add 10.1.9.$i/24 dev kni$i"
    step "ip -n ns$i link set kni$i up"
done
step "ovs-vsctl show"
step "ip netns exec ns1 ping -c 3 -i 0.2 -W 5 10.1.9.2"
result "ping: $(tail -n 3 "$T" | grep -o '[0-9]*% packet loss')"
step "ovs-appctl kni/show"
step "ovs-vsctl get Interface kni1 error status"

note "Open vSwitch stopped with ovs-ctl; the module unloads."
step "$OVS_CTL stop"
step "rmmod kni"

note "openvswitch-switch-kni purged: Debian's own ovs-vswitchd is back."
step "dpkg --purge openvswitch-switch-kni"
step "update-alternatives --query ovs-vswitchd"
step "readlink -f /usr/sbin/ovs-vswitchd"
result "purged: $(alternative)"
result "binary: $(readlink -f /usr/sbin/ovs-vswitchd)"

note "kni-dkms and libkni-dev purged: the module leaves DKMS and the kernel's tree."
step "dpkg --purge kni-dkms libkni-dev"
step "dkms status"
if ls /lib/modules/*/updates/dkms/kni.ko* > /dev/null 2>&1; then
    result "dkms: kni.ko left"
else
    result "dkms: no kni.ko left"
fi

note "Done in $(($(date +%s) - start)) s."
