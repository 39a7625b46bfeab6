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

stop () {
  local pid
  for daemon in client osd mon; do
    [ -f "$dir/$daemon.pid" ] || continue
    pid=$(cat "$dir/$daemon.pid")
    kill "$pid" 2>/dev/null || continue
    # An OSD takes a moment to stop; a new cluster must not meet the old one's daemons.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
  rm -rf "$dir"
}

install () {
  command -v radosgw >/dev/null 2>&1 && command -v ceph-mon >/dev/null 2>&1 && command -v ceph-osd >/dev/null 2>&1 && return
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q radosgw ceph-mon ceph-osd) >"/tmp/dateline-s3-apt.log" 2>&1 \
    || { echo "could not install radosgw; see /tmp/dateline-s3-apt.log" >&2; exit 1; }
}

start () {
  if answering; then echo "$endpoint"; return; fi
  install
  stop
  mkdir -p "$dir/mon" "$dir/osd" "$dir/rgw" "$dir/run"
  local fsid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$dir/ceph.conf" <<EOF
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
EOF
  local conf=(-c "$dir/ceph.conf")
  monmaptool --create --fsid "$fsid" --addv a "v1:127.0.0.1:$mon_port" "$dir/monmap" >/dev/null
  ceph-mon "${conf[@]}" -i a --mkfs --monmap "$dir/monmap" >/dev/null 2>&1
  ceph-mon "${conf[@]}" -i a
  local uuid
  uuid=$(cat /proc/sys/kernel/random/uuid)
  ceph "${conf[@]}" osd new "$uuid" 0 >/dev/null
  ceph-osd "${conf[@]}" -i 0 --mkfs --osd-uuid "$uuid" >/dev/null 2>&1
  ceph-osd "${conf[@]}" -i 0 2>/dev/null
  radosgw "${conf[@]}" -n client.rgw.a
  for _ in $(seq 120); do answering && break; sleep 0.5; done
  answering || { echo "radosgw did not answer on $endpoint; logs in $dir" >&2; exit 1; }
  radosgw-admin "${conf[@]}" user create --uid=dateline-test --display-name="Dateline tests" \
    --access-key="$access_key" --secret-key="$secret_key" >/dev/null 2>&1 || true
  echo "$endpoint"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
