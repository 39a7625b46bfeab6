#!/usr/bin/env bash
# A real S3-compatible server for the media tests: Ceph's RADOS Gateway (Debian's radosgw,
# ceph-mon, ceph-osd) on a one-node cluster that keeps its objects in memory (memstore),
# listening on 127.0.0.1 only. It is a test fixture, not a deployment: no authentication
# between the daemons, one copy of each object, everything gone when it stops.
#
#   scripts/s3-test-server.sh start   installs what is missing, starts it, prints the endpoint
#   scripts/s3-test-server.sh stop
#
# Endpoint http://127.0.0.1:17480, access key dateline-test, secret dateline-test-secret.
set -euo pipefail

port=${DATELINE_S3_TEST_PORT:-17480}
mon_port=16789
dir=${DATELINE_S3_TEST_DIR:-/tmp/dateline-s3}
access_key=dateline-test
secret_key=dateline-test-secret
endpoint="http://127.0.0.1:${port}"

# Listening is answering: radosgw opens its port once it can serve.
answering () {
  (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null
}

# Every daemon this script started names its config file: they go at once (a test fixture's
# data is not worth a clean shutdown, and a memstore OSD takes seconds to write it out).
stop () {
  pkill -9 -f -- "-c $dir/ceph.conf" 2>/dev/null || true
  for _ in $(seq 50); do pgrep -f -- "-c $dir/ceph.conf" >/dev/null || break; sleep 0.2; done
  rm -rf "$dir"
}

install () {
  command -v radosgw >/dev/null 2>&1 && command -v ceph-mon >/dev/null 2>&1 && command -v ceph-osd >/dev/null 2>&1 && return
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q radosgw ceph-mon ceph-osd) >"/tmp/dateline-s3-apt.log" 2>&1 \
    || { echo "could not install radosgw; see /tmp/dateline-s3-apt.log" >&2; exit 1; }
}

# Polls `check` every half second for up to `seconds`.
wait_for () {
  local check=$1 seconds=$2
  for _ in $(seq $((seconds * 2))); do "$check" && return 0; sleep 0.5; done
  return 1
}

osd_up () {
  ceph -c "$dir/ceph.conf" osd stat 2>/dev/null | grep -q ' 1 up'
}

# One try at the cluster: a monitor, an OSD, the gateway and its user. Fails when a daemon
# does not come up.
start_cluster () {
  mkdir -p "$dir/mon" "$dir/osd" "$dir/rgw" "$dir/run"
  local fsid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush update on start = false
osd class update on start = false
osd objectstore = memstore
memstore device bytes = 4294967296
run dir = $dir/run
log file = $dir/\$name.log
pid file = $dir/\$type.pid
keyring = /dev/null
[mon.a]
mon data = $dir/mon
[osd.0]
osd data = $dir/osd
osd journal = $dir/osd/journal
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/rgw
rgw dns name = 127.0.0.1
debug rgw = 0/0
debug ms = 0/0
CONF
  local conf=(-c "$dir/ceph.conf")
  monmaptool --create --fsid "$fsid" --addv a "v1:127.0.0.1:$mon_port" "$dir/monmap" >/dev/null || return 1
  ceph-mon "${conf[@]}" -i a --mkfs --monmap "$dir/monmap" >/dev/null 2>&1 || return 1
  ceph-mon "${conf[@]}" -i a || return 1
  local uuid
  uuid=$(cat /proc/sys/kernel/random/uuid)
  ceph "${conf[@]}" osd new "$uuid" 0 >/dev/null || return 1
  ceph-osd "${conf[@]}" -i 0 --mkfs --osd-uuid "$uuid" >/dev/null 2>&1 || return 1
  # Placed in the CRUSH map here rather than by the OSD as it starts: a new OSD often asked
  # before it had the monitor's map, was refused ("wrong fsid") and exited.
  ceph "${conf[@]}" osd crush add osd.0 1.0 root=default host=localhost >/dev/null 2>&1 || return 1
  ceph-osd "${conf[@]}" -i 0 2>/dev/null || return 1
  wait_for osd_up 30 || return 1
  radosgw "${conf[@]}" -n client.rgw.a || return 1
  wait_for answering 60 || return 1
  radosgw-admin "${conf[@]}" user create --uid=dateline-test --display-name="Dateline tests" \
    --access-key="$access_key" --secret-key="$secret_key" >/dev/null 2>&1
}

start () {
  if answering; then echo "$endpoint"; return; fi
  install
  for attempt in 1 2 3; do
    stop
    if start_cluster; then echo "$endpoint"; return; fi
    echo "the S3 test server did not start (try $attempt of 3)" >&2
  done
  echo "the S3 test server would not start; its logs are in $dir" >&2
  exit 1
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
