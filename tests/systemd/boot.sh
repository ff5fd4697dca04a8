#!/bin/bash
# One boot of the sandbox: runs as PID 1 of a new PID namespace (with its own mount and cgroup
# namespaces, inside the holder's others), mounts the API file systems on the overlay root,
# pivots into it and becomes systemd. The cgroup namespace's root is the private sub-group the
# test created, so systemd's cgroup tree lives there.
#
#   boot.sh WORK SHARE [BIND...]   SHARE appears as /llm-sandbox; each BIND (a host path not on
#                                  the root file system) appears at the same path, read-only
set -euo pipefail
work=$1 share=$2
shift 2
root=$work/root

mount --make-rprivate /
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
for path in /proc/sys /proc/sysrq-trigger; do       # no writes to the host kernel's settings
  [ -e "$root$path" ] || continue
  mount --bind "$root$path" "$root$path"
  mount -o remount,bind,ro "$root$path"
done
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"

# A minimal /dev: no disks, no kernel log, a console that is a file in WORK.
mount -t tmpfs -o mode=755,nosuid llm-sandbox-dev "$root/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$node"
  mknod -m 666 "$root/dev/$name" c "$major" "$minor"
done
mkdir "$root/dev/pts" "$root/dev/shm" "$root/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev llm-sandbox-shm "$root/dev/shm"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
for n in 0:stdin 1:stdout 2:stderr; do ln -s "/proc/self/fd/${n%%:*}" "$root/dev/${n#*:}"; done
touch "$work/console.log" "$root/dev/console"
mount --bind "$work/console.log" "$root/dev/console"

mount -t tmpfs -o mode=755,nosuid,nodev llm-sandbox-run "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev llm-sandbox-tmp "$root/tmp"
mkdir -p "$root/llm-sandbox"
mount --bind "$share" "$root/llm-sandbox"
for path in "$@"; do
  mkdir -p "$root$path"
  mount --bind "$path" "$root$path"
  mount -o remount,bind,ro "$root$path"
done

cd "$root"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
rmdir /.oldroot
exec env -i container=llm-sandbox TERM=dumb PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  /lib/systemd/systemd --unit=multi-user.target --log-target=journal
