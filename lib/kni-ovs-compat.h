/*
 * Copyright (c) 2026 The ovs-kni authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#ifndef KNI_OVS_COMPAT_H
#define KNI_OVS_COMPAT_H 1

/* Differences between the Open vSwitch versions lib/netdev-kni.c builds
 * against (3.1 and later).  configure probes the Open vSwitch tree for the
 * features named here (KNI_OVS_HAVE_*), so that backports count too; keep
 * every such difference of the userspace side in this file, as
 * kmod/compat.h does for kernels. */

/* netdev_class's get_speed() appeared in 3.3; 3.1 reports a port's speed
 * through get_features() only. */
#ifdef KNI_OVS_HAVE_GET_SPEED
#define KNI_OVS_GET_SPEED(FUNCTION) .get_speed = FUNCTION,
#else
#define KNI_OVS_GET_SPEED(FUNCTION)
#endif

/* Offload models.  From 3.3 on, a port marks a received packet whose TCP
 * or UDP checksum is left to do as "partial" (both RX L4 checksum flags),
 * miniflow_extract() turns that into a transmit request, and netdev_send()
 * completes the checksums and segments the TSO packets a port cannot take
 * (dp_packet_ol_send_prepare(), software GSO).  3.1 knows only the
 * transmit requests, set by the receiving port, and drops a packet whose
 * egress port cannot take them ("No TSO support"). */
#ifdef KNI_OVS_HAVE_SW_OFFLOAD
#define KNI_OVS_RX_CSUM_PARTIAL 1
#else
#define KNI_OVS_RX_CSUM_PARTIAL 0
#endif

#endif /* kni-ovs-compat.h */
