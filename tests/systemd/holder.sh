#!/bin/bash
# Holds the sandbox's private mount, UTS, IPC and network namespaces (the test starts it under
# `unshare`) for as long as the sandbox lives, across its reboots. Builds the sandbox's root: an
# overlay whose lower layer is the host's / (never written) and whose upper layer is a tmpfs
# that exists only in these namespaces, so every change the sandbox makes dies with this process.
#
#   holder.sh WORK     WORK/root: the overlay; WORK/layer: the tmpfs; WORK/holder.ready: done
set -euo pipefail
work=$1
root=$work/root

mount --make-rprivate /
mkdir -p "$work/layer" "$root"
mount -t tmpfs -o mode=755,size=2g llm-sandbox-layer "$work/layer"
mkdir "$work/layer/upper" "$work/layer/work"
mount -t overlay llm-sandbox-root \
  -o "lowerdir=/,upperdir=$work/layer/upper,workdir=$work/layer/work" "$root"

hostname llm-sandbox
echo llm-sandbox > "$root/etc/hostname"

# Start nothing the host enabled, and nothing that would touch host-wide state (clock, disks,
# kernel modules, sysctls, udev, binfmt, consoles).
rm -f "$root"/etc/systemd/system/*.wants/*
ln -sf /lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"
for unit in systemd-timesyncd.service systemd-pstore.service systemd-udevd.service \
    systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udev-trigger.service \
    systemd-udev-settle.service systemd-hwdb-update.service systemd-modules-load.service \
    kmod-static-nodes.service systemd-sysctl.service systemd-binfmt.service \
    proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount systemd-random-seed.service \
    systemd-remount-fs.service systemd-firstboot.service systemd-repart.service \
    systemd-pcrphase.service systemd-pcrphase-sysinit.service systemd-boot-update.service \
    systemd-logind.service getty.target console-getty.service getty@tty1.service \
    sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount \
    sys-fs-fuse-connections.mount dev-hugepages.mount systemd-tmpfiles-clean.timer \
    systemd-networkd-wait-online.service ldconfig.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done

touch "$work/holder.ready"
exec sleep infinity
