# Shell helpers for the system tests of kni ports (tests/system-kni.at).
# Sourced in the test guest after tests/kni-guest-lib.sh.
#
#   kni_sys_start [PARAM=VALUE...]
#                       load the module with PARAMs, start the daemons, make
#                       a netdev bridge br0 with its PMD thread on CPU 1 and
#                       a net_null port that keeps the PMD polling
#   kni_sys_port NAME NS ADDR [OPTIONS...]
#                       add kni port NAME to br0 (OPTIONS are extra
#                       "ovs-vsctl set Interface" arguments), move its kernel
#                       side into namespace NS with address ADDR/24, up
#   kni_sys_tap NAME NS ADDR
#                       the same with a net_tap DPDK port
#   kni_ns_stat NS DEV COUNTER
#                       a kernel counter of DEV in NS (rx_packets...)
#   kni_of_stat PORT rx|tx
#                       OVS packet counter of PORT, read live from the
#                       datapath (ovs-ofctl dump-ports)
#   kni_tcp NS1 NS2 ADDR2 BYTES
#                       iperf3 transfer of BYTES from NS1 to ADDR2 in NS2

kni_sys_start () {
    kni_insmod "$@"
    for m in tun veth sch_multiq sch_ingress cls_flower act_mirred \
             act_gact act_skbedit cls_bpf act_bpf; do
        modprobe "$m" 2>/dev/null || true
    done
    kni_ovs_start
    ovs-vsctl set Open_vSwitch . other_config:pmd-cpu-mask=0x2
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev
    ovs-vsctl add-port br0 null0 -- set Interface null0 type=dpdk \
        options:dpdk-devargs=net_null0,no-rx=1
    ovs-ofctl add-flow br0 "in_port=null0,actions=drop"
}

kni_ns_prepare () {
    ip netns add "$1" 2>/dev/null || true
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    ip -n "$1" link set lo up
}

kni_ns_move () {
    ip link set "$1" netns "$2"
    ip -n "$2" addr add "$3/24" dev "$1"
    ip -n "$2" link set "$1" up
}

kni_sys_port () {
    kni_port=$1 kni_ns=$2 kni_addr=$3
    shift 3
    kni_ns_prepare "$kni_ns"
    ovs-vsctl add-port br0 "$kni_port" -- set Interface "$kni_port" \
        type=kni "$@"
    test -e "/sys/class/net/$kni_port"
    kni_ns_move "$kni_port" "$kni_ns" "$kni_addr"
}

kni_tap_n=0
kni_sys_tap () {
    kni_ns_prepare "$2"
    ovs-vsctl add-port br0 "$1" -- set Interface "$1" type=dpdk \
        "options:dpdk-devargs=net_tap$kni_tap_n,iface=$1" options:n_rxq=2
    kni_tap_n=$((kni_tap_n + 1))
    kni_wait_until test -e "/sys/class/net/$1"
    ethtool -K "$1" tx off > /dev/null 2>&1 || true
    kni_ns_move "$1" "$2" "$3"
}

kni_ns_stat () {
    ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

kni_of_stat () {
    ovs-ofctl dump-ports br0 "$1" \
        | sed -n "s/.*$2 pkts=\([0-9]*\).*/\1/p" | sed 1q
}

kni_tcp () {
    # iperf3's pid file lives in the guest's /tmp: on the 9p share it was
    # once seen to stay empty.
    ip netns exec "$2" iperf3 -s -1 -D -I /tmp/iperf3.pid
    kni_wait_until test -s /tmp/iperf3.pid
    sleep 0.5
    ip netns exec "$1" iperf3 -c "$3" -n "$4" --connect-timeout 5000 \
        > iperf3-client.txt
}
