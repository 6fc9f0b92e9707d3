# -*- autoconf -*-
#
# Copyright (c) 2026 The ovs-kni authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

dnl KNI_OVS_MAKEVAR(VAR)
dnl
dnl Prints the value of make variable VAR as OVS's configured Makefile in
dnl $OVSBUILDDIR expands it, so that our objects get exactly the flags OVS
dnl compiles and links its own with.
AC_DEFUN([KNI_OVS_MAKEVAR],
  [`${MAKE-make} -s --no-print-directory -C "$OVSBUILDDIR" -f Makefile \
        -f "$kni_print_mk" "kni-print-$1" 2>/dev/null`])

dnl KNI_CHECK_OVS
dnl
dnl Finds the Open vSwitch tree ovs-vswitchd is built from, in the manner of
dnl OVN's OVN_CHECK_OVS: --with-ovs-source=DIR, and --with-ovs-build=DIR
dnl when that tree was configured and built elsewhere.  With neither,
dnl Debian's openvswitch-source tarball is unpacked into ./ovs/openvswitch
dnl and configured there --with-dpdk=shared (once; later runs reuse it);
dnl "make" then builds it once, see ovs-build.stamp in Makefile.am.
dnl
dnl Substitutes OVSDIR, OVSBUILDDIR, OVSVERSION, OVS_BUNDLED and the OVS
dnl flags OVS_AM_CFLAGS, OVS_DEFS, OVS_LIBS, OVS_AM_LDFLAGS,
dnl OVS_VSWITCHD_LDFLAGS.  Sets CFLAGS to OVS's CFLAGS unless the user
dnl gave CFLAGS.
AC_DEFUN([KNI_CHECK_OVS],
  [AC_ARG_WITH([ovs-source],
     [AS_HELP_STRING([--with-ovs-source=DIR],
        [build against the Open vSwitch (>= 3.1, configured --with-dpdk)
         source tree in DIR; default: unpack and build Debian's
         openvswitch-source tarball under ./ovs])])
   AC_ARG_WITH([ovs-build],
     [AS_HELP_STRING([--with-ovs-build=DIR],
        [the configured and built build tree of --with-ovs-source, if not
         the source tree itself])])
   AC_ARG_WITH([ovs-tarball],
     [AS_HELP_STRING([--with-ovs-tarball=FILE],
        [OVS sources to copy without --with-ovs-source: a tarball, or an
         unpacked tree @<:@/usr/src/openvswitch/openvswitch.tar.gz (Debian
         12) or /usr/src/openvswitch (Debian 13)@:>@])],
     [], [if test -f /usr/src/openvswitch/openvswitch.tar.gz; then
            with_ovs_tarball=/usr/src/openvswitch/openvswitch.tar.gz
          else
            with_ovs_tarball=/usr/src/openvswitch
          fi])

   if test "X$with_ovs_build" != X && test "X$with_ovs_source" = X; then
     AC_MSG_ERROR([--with-ovs-build needs --with-ovs-source])
   fi

   AC_MSG_CHECKING([for the Open vSwitch source tree])
   if test "X$with_ovs_source" != X; then
     OVSDIR=`eval echo "$with_ovs_source"`
     case $OVSDIR in
       /*) ;;
       *) OVSDIR=`pwd`/$OVSDIR ;;
     esac
     if test ! -f "$OVSDIR/vswitchd/bridge.c"; then
       AC_MSG_ERROR([$OVSDIR is not an Open vSwitch source tree])
     fi
     OVS_BUNDLED=false
     AC_MSG_RESULT([$OVSDIR])
   else
     OVS_BUNDLED=true
     OVSDIR=`pwd`/ovs/openvswitch
     AC_MSG_RESULT([$OVSDIR (from $with_ovs_tarball)])
     dnl What identifies the sources: the tarball's checksum, or the list
     dnl of files of an unpacked tree with their sizes and times.
     if test -f "$with_ovs_tarball"; then
       kni_sum=`sha256sum < "$with_ovs_tarball" | cut -d' ' -f1`
     elif test -f "$with_ovs_tarball/vswitchd/bridge.c"; then
       kni_sum=`cd "$with_ovs_tarball" && find . -type f -printf '%p %s %T@\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1`
     else
       AC_MSG_ERROR([no Open vSwitch sources at $with_ovs_tarball: install
Debian's openvswitch-source package (apt-get install openvswitch-source), or
use --with-ovs-source=DIR])
     fi
     if test -f "$OVSDIR/vswitchd/bridge.c" \
        && test "X`cat ovs/tarball.sha256 2>/dev/null`" = "X$kni_sum"; then
       :
     else
       AC_MSG_NOTICE([copying $with_ovs_tarball into ovs/])
       rm -rf ovs/openvswitch ovs/unpack ovs/tarball.sha256
       $MKDIR_P ovs/unpack || AC_MSG_ERROR([cannot create ovs/unpack])
       if test -f "$with_ovs_tarball"; then
         tar -C ovs/unpack -xzf "$with_ovs_tarball" \
           || AC_MSG_ERROR([could not unpack $with_ovs_tarball])
         mv ovs/unpack/* ovs/openvswitch && rmdir ovs/unpack
       else
         cp -a "$with_ovs_tarball" ovs/unpack/openvswitch \
           || AC_MSG_ERROR([could not copy $with_ovs_tarball])
         mv ovs/unpack/openvswitch ovs/openvswitch && rmdir ovs/unpack
       fi
       if test ! -f "$OVSDIR/vswitchd/bridge.c"; then
         AC_MSG_ERROR([$with_ovs_tarball holds no Open vSwitch tree])
       fi
       echo "$kni_sum" > ovs/tarball.sha256
     fi
   fi
   AC_SUBST([OVSDIR])

   AC_MSG_CHECKING([for the Open vSwitch build tree])
   if test "X$with_ovs_build" != X; then
     OVSBUILDDIR=`eval echo "$with_ovs_build"`
     case $OVSBUILDDIR in
       /*) ;;
       *) OVSBUILDDIR=`pwd`/$OVSBUILDDIR ;;
     esac
   else
     OVSBUILDDIR=$OVSDIR
   fi
   AC_MSG_RESULT([$OVSBUILDDIR])
   AC_SUBST([OVSBUILDDIR])

   if $OVS_BUNDLED; then
     if test ! -f "$OVSBUILDDIR/Makefile" \
        || ! grep -q '^#define DPDK_NETDEV 1' "$OVSBUILDDIR/config.h" \
             2>/dev/null; then
       AC_MSG_NOTICE([configuring Open vSwitch --with-dpdk=shared (log: ovs/configure.log)])
       if ! (cd "$OVSBUILDDIR" && ./configure --with-dpdk=shared) \
              > ovs/configure.log 2>&1; then
         tail -n 20 ovs/configure.log
         AC_MSG_ERROR([configuring Open vSwitch failed, see ovs/configure.log])
       fi
     fi
     OVS_BUILT_BY="built by make"
   else
     if test ! -f "$OVSBUILDDIR/config.h" || test ! -f "$OVSBUILDDIR/Makefile"; then
       AC_MSG_ERROR([$OVSBUILDDIR is not a configured Open vSwitch build tree
(run configure --with-dpdk there, or give --with-ovs-build=DIR)])
     fi
     OVS_BUILT_BY="built by you"
   fi
   AM_CONDITIONAL([OVS_BUNDLED], [$OVS_BUNDLED])
   AC_SUBST([OVS_BUNDLED])

   AC_MSG_CHECKING([for the Open vSwitch version])
   OVSVERSION=`sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
                   "$OVSBUILDDIR/config.h"`
   AC_MSG_RESULT([$OVSVERSION])
   AC_SUBST([OVSVERSION])
   AS_VERSION_COMPARE([$OVSVERSION], [3.1.0],
     [AC_MSG_ERROR([Open vSwitch $OVSVERSION is too old, 3.1 or newer is needed])])

   AC_MSG_CHECKING([whether Open vSwitch was configured with DPDK])
   if grep -q '^#define DPDK_NETDEV 1' "$OVSBUILDDIR/config.h"; then
     AC_MSG_RESULT([yes])
   else
     AC_MSG_RESULT([no])
     AC_MSG_ERROR([$OVSBUILDDIR was configured without DPDK: reconfigure it
--with-dpdk=shared])
   fi

   kni_print_mk=`pwd`/conftest-ovs.mk
   printf 'kni-print-%%:\n\t@echo $($[]*)\n' > "$kni_print_mk"
   OVS_AM_CFLAGS=KNI_OVS_MAKEVAR([AM_CFLAGS])
   OVS_DEFS=
   for kni_flag in KNI_OVS_MAKEVAR([AM_CPPFLAGS]); do
     case $kni_flag in
       -D*|-U*) OVS_DEFS="$OVS_DEFS $kni_flag" ;;
     esac
   done
   OVS_LIBS=KNI_OVS_MAKEVAR([LIBS])
   OVS_AM_LDFLAGS=KNI_OVS_MAKEVAR([AM_LDFLAGS])
   OVS_VSWITCHD_LDFLAGS=KNI_OVS_MAKEVAR([DPDK_vswitchd_LDFLAGS])
   kni_ovs_cflags=KNI_OVS_MAKEVAR([CFLAGS])
   rm -f "$kni_print_mk"
   if test "X$OVS_AM_CFLAGS" = X; then
     AC_MSG_ERROR([could not read the compiler flags from $OVSBUILDDIR/Makefile])
   fi
   AC_MSG_CHECKING([for the compiler flags of Open vSwitch])
   AC_MSG_RESULT([$OVS_AM_CFLAGS$OVS_DEFS])
   if test "${CFLAGS+set}" != set; then
     CFLAGS=$kni_ovs_cflags
   fi
   dnl Features of the Open vSwitch tree lib/kni-ovs-compat.h needs.
   KNI_OVS_FEATURES=
   AC_MSG_CHECKING([whether Open vSwitch's netdev_class has get_speed])
   if grep -q '(\*get_speed)' "$OVSDIR/lib/netdev-provider.h"; then
     AC_MSG_RESULT([yes])
     KNI_OVS_FEATURES="$KNI_OVS_FEATURES -DKNI_OVS_HAVE_GET_SPEED"
   else
     AC_MSG_RESULT([no])
   fi
   AC_MSG_CHECKING([whether Open vSwitch completes checksums and TSO in software])
   if grep -q 'dp_packet_ol_send_prepare' "$OVSDIR/lib/dp-packet.h"; then
     AC_MSG_RESULT([yes])
     KNI_OVS_FEATURES="$KNI_OVS_FEATURES -DKNI_OVS_HAVE_SW_OFFLOAD"
   else
     AC_MSG_RESULT([no])
   fi
   OVS_DEFS="$OVS_DEFS$KNI_OVS_FEATURES"
   AC_SUBST([OVS_AM_CFLAGS])
   AC_SUBST([OVS_DEFS])
   AC_SUBST([OVS_LIBS])
   AC_SUBST([OVS_AM_LDFLAGS])
   AC_SUBST([OVS_VSWITCHD_LDFLAGS])])

dnl KNI_CHECK_KERNELS
dnl
dnl Lists the installed kernels that kmod/ can be built for and booted in
dnl the test guest (headers under /lib/modules/V/build and /boot/vmlinuz-V),
dnl lowest first.  Informational: "make check" looks again at run time.
AC_DEFUN([KNI_CHECK_KERNELS],
  [AC_MSG_CHECKING([for installed kernels with headers])
   KNI_KERNELS=
   for kni_dir in /lib/modules/*/build; do
     test -d "$kni_dir" || continue
     kni_v=`basename "\`dirname "$kni_dir"\`"`
     test -f "/boot/vmlinuz-$kni_v" || continue
     KNI_KERNELS="$KNI_KERNELS $kni_v"
   done
   KNI_KERNELS=`for kni_v in $KNI_KERNELS; do echo $kni_v; done | sort -V | tr '\n' ' ' | sed 's/ $//'`
   AC_MSG_RESULT([${KNI_KERNELS:-none}])
   AC_SUBST([KNI_KERNELS])])

dnl KNI_OVS_SYSTEM_DIRS
dnl
dnl The directories of the installed Open vSwitch that the installed
dnl ovs-vswitchd (ovs-vswitchd-kni, see Makefile.am) runs with: ovs-ctl,
dnl ovs-vsctl and ovs-appctl find its pid file, control socket, database
dnl and logs there.  They default to those of Debian's openvswitch-switch
dnl and openvswitch-common, whatever prefix this tree installs to; the
dnl tree's own vswitchd/ovs-vswitchd keeps those of the Open vSwitch tree
dnl it is built against.  Substitutes OVS_SYSTEM_RUNDIR, OVS_SYSTEM_LOGDIR,
dnl OVS_SYSTEM_DBDIR, OVS_SYSTEM_SYSCONFDIR, OVS_SYSTEM_PKGDATADIR and
dnl OVS_SYSTEM_BINDIR.
AC_DEFUN([KNI_OVS_SYSTEM_DIRS],
  [AC_ARG_VAR([OVS_SYSTEM_RUNDIR],
     [run directory of the Open vSwitch the installed ovs-vswitchd-kni
      serves @<:@/var/run/openvswitch@:>@])
   AC_ARG_VAR([OVS_SYSTEM_LOGDIR],
     [its log directory @<:@/var/log/openvswitch@:>@])
   AC_ARG_VAR([OVS_SYSTEM_DBDIR],
     [its database directory @<:@/etc/openvswitch@:>@])
   AC_ARG_VAR([OVS_SYSTEM_SYSCONFDIR],
     [its sysconfdir @<:@/etc@:>@])
   AC_ARG_VAR([OVS_SYSTEM_PKGDATADIR],
     [its data directory @<:@/usr/share/openvswitch@:>@])
   AC_ARG_VAR([OVS_SYSTEM_BINDIR],
     [its directory of programs @<:@/usr/bin@:>@])
   : "${OVS_SYSTEM_RUNDIR=/var/run/openvswitch}"
   : "${OVS_SYSTEM_LOGDIR=/var/log/openvswitch}"
   : "${OVS_SYSTEM_DBDIR=/etc/openvswitch}"
   : "${OVS_SYSTEM_SYSCONFDIR=/etc}"
   : "${OVS_SYSTEM_PKGDATADIR=/usr/share/openvswitch}"
   : "${OVS_SYSTEM_BINDIR=/usr/bin}"
   AC_MSG_CHECKING([for the run directory of the installed ovs-vswitchd-kni])
   AC_MSG_RESULT([$OVS_SYSTEM_RUNDIR])])
