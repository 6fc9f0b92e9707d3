# Shell helpers for scripts that run in the test guest (KNI_VM_CHECK in
# tests/kni-macros.at sources this file first).  The working directory is
# the test group's directory, shared with the host.
#
#   kni_module_path [abiN]    path of kni.ko for the running kernel
#   kni_insmod [abiN] [PARAM=VALUE...]
#                             load the module built for the running kernel
#                             (abiN: the one built with ABI_VERSION=N)
#   kni_keep NAME FILE        keep FILE as tests/figures/NAME-<kernel>.txt
#   kni_wait_until CMD...     run CMD until it succeeds, at most
#                             $KNI_WAIT_TIMEOUT seconds (default 30)
#   kni_ovs_start [--no-dpdk] ovsdb-server and ovs-vswitchd (ours), logs
#                             in the working directory, sockets and
#                             database in $OVS_RUNDIR (guest /tmp), DPDK
#                             initialised without hugepages;
#                             $KNI_OVS_OTHER_CONFIG (KEY=VALUE...) is set
#                             in other_config before ovs-vswitchd starts
#                             (and pmd-sleep-max, see the function),
#                             $KNI_TSAN_OPTIONS is its TSAN_OPTIONS
#   kni_ovs_stop [ERE...]     stop both daemons, and fail if either died or
#                             ovs-vswitchd logged an unexpected warning or
#                             error (see the function)

KNI_KVER=$(uname -r)

# kni_keep NAME FILE: keeps FILE as tests/figures/NAME-<kernel>.txt of the
# build tree, where figures measured by a group outlive its directory
# (autotest removes the directory of a group that passed).
kni_keep () {
    mkdir -p "$KNI_TOP_BUILDDIR/tests/figures"
    cp "$2" "$KNI_TOP_BUILDDIR/tests/figures/$1-$KNI_KVER.txt"
}

kni_module_path () {
    case ${1-} in
        abi*) echo "$KNI_TOP_BUILDDIR/kmod/build/$KNI_KVER/$1/kni.ko" ;;
        '') echo "$KNI_TOP_BUILDDIR/kmod/build/$KNI_KVER/kni.ko" ;;
        *) echo "kni_module_path: bad argument $1" >&2; return 1 ;;
    esac
}

kni_insmod () {
    kni_mod=
    case ${1-} in
        abi*) kni_mod=$(kni_module_path "$1"); shift ;;
        *) kni_mod=$(kni_module_path) ;;
    esac
    insmod "$kni_mod" "$@"
}

kni_wait_until () {
    kni_i=0
    while ! "$@"; do
        kni_i=$((kni_i + 1))
        if test $kni_i -gt $((${KNI_WAIT_TIMEOUT:-30} * 10)); then
            echo "kni_wait_until: timed out: $*" >&2
            return 1
        fi
        sleep 0.1
    done
}

kni_ovs_start () {
    # Unix sockets cannot live on the 9p share: sockets, pid files and the
    # database go to the guest's own /tmp, the logs to the working
    # directory, where the host sees them.
    # The netdev datapath's internal ports are tap devices.
    test -e /dev/net/tun || modprobe tun
    OVS_RUNDIR=$(mktemp -d /tmp/kni-ovs.XXXXXX)
    OVS_DBDIR=$OVS_RUNDIR OVS_SYSCONFDIR=$OVS_RUNDIR OVS_LOGDIR=$PWD
    export OVS_RUNDIR OVS_LOGDIR OVS_DBDIR OVS_SYSCONFDIR
    ovsdb-tool create "$OVS_DBDIR/conf.db" \
        "$KNI_TOP_BUILDDIR/vswitchd/vswitch.ovsschema"
    ovsdb-server --detach --no-chdir --pidfile --log-file -vconsole:emer \
        --remote=punix:"$OVS_RUNDIR/db.sock" "$OVS_DBDIR/conf.db"
    ovs-vsctl --no-wait init
    if test "${1-}" != --no-dpdk; then
        ovs-vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
            "other_config:dpdk-extra=$KNI_DPDK_EXTRA"
    fi
    # An idle PMD thread sleeps, up to KNI_PMD_SLEEP_MAX microseconds
    # (default 10000; 0 keeps it spinning), instead of polling: the guest's
    # CPUs share one emulating host thread, and a spinning PMD thread would
    # take half of it from the kernel and every other process.  Under load
    # it polls without sleeping.  Open vSwitch 3.2 renamed the key.
    case $(ovs-vswitchd --version | sed -n '1s/.* //p') in
        2.*|3.[01].*) kni_sleep_key=pmd-maxsleep ;;
        *) kni_sleep_key=pmd-sleep-max ;;
    esac
    ovs-vsctl --no-wait set Open_vSwitch . \
        "other_config:$kni_sleep_key=${KNI_PMD_SLEEP_MAX-10000}"
    # Settings read once at start-up (userspace-tso-enable=true...).
    for kni_kv in ${KNI_OVS_OTHER_CONFIG-}; do
        ovs-vsctl --no-wait set Open_vSwitch . "other_config:$kni_kv"
    done
    # KNI_TSAN_OPTIONS: the options of an ovs-vswitchd built with
    # ThreadSanitizer ("make check-tsan").
    TSAN_OPTIONS=${KNI_TSAN_OPTIONS-${TSAN_OPTIONS-}} \
        ovs-vswitchd --detach --no-chdir --pidfile --log-file -vconsole:emer
    if test "${1-}" != --no-dpdk; then
        kni_wait_until kni_dpdk_initialized
    fi
}

kni_dpdk_initialized () {
    test "$(ovs-vsctl get Open_vSwitch . dpdk_initialized)" = true
}

# Warnings and errors every run of ovs-vswitchd in the guest may log: DPDK
# without hugepages, an emulated CPU's long poll intervals, ports without a
# PMD thread on their NUMA node.
KNI_LOG_ALLOWED='dpdk|WARN|.*--no-huge
dpdk|WARN|EAL: No (free|available) [0-9]+ kB hugepages
dpdk|WARN|.*VFIO support could not be initialized
dpdk|ERR|EAL: Failed to open group
timeval|WARN|Unreasonably long [0-9]+ms poll interval
timeval|WARN|(faults|context switches|disk):
netdev_dpdk|WARN|Rx checksum offload is not supported
dpif_netdev|WARN|.*no PMD
ovs_rcu|WARN|blocked [0-9]+ ms waiting for
dpdk|WARN|.*EAL: .*-m.*'

# kni_ovs_stop [ERE...]: stops both daemons, and fails if either died, or
# if ovs-vswitchd logged a warning or an error that matches neither
# KNI_LOG_ALLOWED nor one of the EREs (as OVS_TRAFFIC_VSWITCHD_STOP does).
kni_ovs_stop () {
    kni_rc=0
    kni_vs_pid=$(cat "$OVS_RUNDIR/ovs-vswitchd.pid" 2>/dev/null || true)
    ovs-appctl -t ovs-vswitchd exit --cleanup || kni_rc=1
    # "exit" answers before the process is gone; its /dev/kni descriptor
    # (and so the module's reference count) goes with the process.
    if test -n "$kni_vs_pid"; then
        kni_wait_until test ! -e "/proc/$kni_vs_pid" || kni_rc=1
    fi
    ovs-appctl -t ovsdb-server exit || kni_rc=1
    printf '%s\n' "$KNI_LOG_ALLOWED" "$@" > log-allowed.txt
    if grep -E '\|(WARN|ERR|EMER)\|' ovs-vswitchd.log \
           | grep -v -E -f log-allowed.txt > log-unexpected.txt; then
        echo "kni_ovs_stop: unexpected warnings or errors in" \
             "ovs-vswitchd.log:" >&2
        cat log-unexpected.txt >&2
        kni_rc=1
    fi
    return $kni_rc
}
