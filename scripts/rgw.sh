#!/usr/bin/env bash
# Throwaway single-node Ceph RGW (S3 + STS + IAM) on 127.0.0.1 for tests.
#
#   scripts/rgw.sh start    # (re)create cluster + user + role + bucket, print/write env
#   scripts/rgw.sh env      # print the env file of the running instance
#   scripts/rgw.sh status   # show daemons and whether S3 answers (exit 1 if not running)
#   scripts/rgw.sh stop     # kill radosgw, osd, mon (by pid files) and remove RGW_DIR
#
#   source "${RGW_DIR:-/tmp/ckan-portal-rgw}/env"   # after start
#
# Environment (all optional):
#   RGW_DIR             state/log dir              (default /tmp/ckan-portal-rgw)
#   RGW_PORT            S3/STS port (beast)        (default 7480)
#   RGW_MON_PORT        monitor port (msgr v1)     (default 16789)
#   RGW_BUCKET          bucket created at start    (default ckan-uploads)
#   RGW_MEMSTORE_BYTES  memstore size, RAM-backed  (default 4 GiB; capacity cap, RAM used as written)
#   RGW_START_TIMEOUT   seconds to wait for S3     (default 60)
#
# Needs root and the Debian packages radosgw ceph-mon ceph-osd ceph-common (Ceph 16 pacific
# tested), plus node with @aws-sdk/client-s3 (bucket + CORS are made by scripts/rgw-setup.mjs).
# No mgr runs, so `ceph -s` shows no PG/usage stats; harmless. Stored objects live in RAM.
#
# Findings (Ceph 16.2.15, verified with scripts/rgw-smoke.mjs):
# - STS AssumeRole DurationSeconds: the smallest value accepted is 900 (60, 300 and 899 are
#   rejected with HTTP 400 InvalidArgument). The upper bound is the role's MaxSessionDuration,
#   3600 (radosgw-admin role create has no option to raise it; 43200 is rejected). Setting
#   rgw_sts_min_session_duration lower does NOT help: 16.2.15 still rejects 60 for AssumeRole.
#   A test that needs expired credentials cannot get them by waiting < 15 min here.
# - STS errors arrive as S3-style XML (<Error><Code>InvalidArgument</Code><Message/>..), not the
#   <ErrorResponse> of AWS STS, so @aws-sdk/client-sts surfaces them as name "Unknown" /
#   message "UnknownError"; only $metadata.httpStatusCode (400, 403) is reliable.
# - CompleteMultipartUpload answers with an empty <ETag> (SDK: ETag ""); HeadObject has the real
#   one ("<md5>-<parts>").
# - ListParts after AbortMultipartUpload gives 404 NoSuchKey (AWS: NoSuchUpload).
# - The portal user needs no extra caps for AssumeRole; the role trust policy is enough. The
#   temporary credentials get 403 AccessDenied outside the session policy (other key, Get, Delete).
# - CORS: a preflight echoes the request Origin in Access-Control-Allow-Origin and lists only the
#   requested method/headers; the actual response answers "*" and
#   Access-Control-Expose-Headers: ETag,x-amz-checksum-crc32c,x-amz-checksum-sha256,x-amz-request-id.
# - With auth none the OSD sends its start-up mon commands with a zero fsid ("wrong fsid") and
#   fails to start; hence osd crush/class update on start = false and a CLI `osd crush add`.
# - Daemons are reparented to PID 1; if PID 1 reaps late they linger as zombies, which
#   stop treats as gone.
set -euo pipefail

RGW_DIR="${RGW_DIR:-/tmp/ckan-portal-rgw}"
RGW_PORT="${RGW_PORT:-7480}"
RGW_MON_PORT="${RGW_MON_PORT:-16789}"
RGW_BUCKET="${RGW_BUCKET:-ckan-uploads}"
RGW_MEMSTORE_BYTES="${RGW_MEMSTORE_BYTES:-4294967296}"
RGW_START_TIMEOUT="${RGW_START_TIMEOUT:-60}"

PORTAL_UID="portal"
PORTAL_ACCESS_KEY="PORTALACCESSKEY00001"
PORTAL_SECRET_KEY="portalSecretKey0000000000000000000000001"
ROLE_NAME="ckan-portal-upload"
STS_KEY="abcdefghijklmnop" # rgw_sts_key must be exactly 16 chars

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF="$RGW_DIR/ceph.conf"
LOG_DIR="$RGW_DIR/log"
RUN_DIR="$RGW_DIR/run"
ENDPOINT="http://127.0.0.1:${RGW_PORT}"

log() { echo "rgw.sh: $*" >&2; }
STARTING=0

die() {
  # die MESSAGE [LOGFILE...]: print message and the tail of the given logs, exit 1
  local msg="$1"; shift
  log "ERROR: $msg"
  local f
  for f in "$@"; do
    if [[ -s "$f" ]]; then
      echo "----- tail -n 40 $f -----" >&2
      tail -n 40 "$f" >&2 || true
    fi
  done
  if [[ "$STARTING" == 1 ]]; then
    # a failed start leaves no daemons behind; logs stay in $RGW_DIR until the next start/stop
    kill_pidfile "$RUN_DIR/radosgw.pid" TERM
    kill_pidfile "$RUN_DIR/osd.0.pid" KILL
    kill_pidfile "$RUN_DIR/mon.a.pid" TERM
    log "logs kept in $LOG_DIR"
  fi
  exit 1
}

ceph_cli() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }
rgw_admin() { timeout 60 radosgw-admin -c "$CONF" -n client.admin --no-mon-config "$@"; }

proc_alive() {
  # a zombie counts as gone: the daemons are reparented to PID 1, which may reap them late
  kill -0 "$1" 2>/dev/null || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}
pid_alive() { [[ -f "$1" ]] && proc_alive "$(cat "$1" 2>/dev/null)"; }

s3_answers() {
  # RGW answers an anonymous GET / with ListAllMyBucketsResult once it has initialised
  curl -s -m 2 "$ENDPOINT/" 2>/dev/null | grep -q ListAllMyBucketsResult
}

port_busy() { curl -s -o /dev/null -m 1 "http://127.0.0.1:$1/" 2>/dev/null; [[ $? != 7 ]]; }

kill_pidfile() {
  # kill_pidfile FILE SIGNAL: send SIGNAL, wait up to 10 s, then SIGKILL
  local f="$1" sig="$2" pid i
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  proc_alive "$pid" || return 0
  # guard against a recycled pid: only signal a daemon started with our ceph.conf
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-c $CONF " || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    proc_alive "$pid" || return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    proc_alive "$pid" || return 0
    sleep 0.05
  done
  log "warning: pid $pid ($f) did not exit"
}

cmd_stop() {
  local pids=() f i p
  if [[ -d "$RUN_DIR" ]]; then
    for f in radosgw osd.0 mon.a; do
      p="$(cat "$RUN_DIR/$f.pid" 2>/dev/null || true)"
      [[ "$p" =~ ^[0-9]+$ ]] && pids+=("$p")
    done
    kill_pidfile "$RUN_DIR/radosgw.pid" TERM
    # memstore writes all its data to disk on a clean shutdown; the data is thrown away
    # anyway, so the OSD is killed outright.
    kill_pidfile "$RUN_DIR/osd.0.pid" KILL
    kill_pidfile "$RUN_DIR/mon.a.pid" TERM
    # wait (max 5 s) until PID 1 has reaped the zombies, so `pgrep ceph` is clean afterwards
    for ((i = 0; i < 50; i++)); do
      for p in "${pids[@]}"; do [[ -e /proc/$p ]] && break; p=""; done
      [[ -z "${p:-}" ]] && break
      sleep 0.1
    done
  fi
  # refuse to rm -rf anything that does not look like our state dir
  if [[ -d "$RGW_DIR" ]]; then
    if [[ -f "$RGW_DIR/.ckan-portal-rgw" || -z "$(ls -A "$RGW_DIR")" ]]; then
      rm -rf "$RGW_DIR"
    else
      die "$RGW_DIR exists but was not created by rgw.sh; not removing it"
    fi
  fi
}

write_conf() {
  local fsid="$1"
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = [v1:127.0.0.1:$RGW_MON_PORT]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr2 = false
ms bind ipv6 = false
# radosgw hangs at start with auth none unless secure mode is allowed for mon clients
ms mon client mode = crc secure

auth cluster required = none
auth service required = none
auth client required = none
auth supported = none

run dir = $RUN_DIR
admin socket = $RUN_DIR/\$name.asok
log file = $LOG_DIR/\$name.log
log to stderr = false
err to stderr = true
# the daemons are killed at stop; keep logging cheap
debug ms = 0
debug monc = 0

osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon max pg per osd = 1000
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0

# each pool creation otherwise costs about a second
paxos propose interval = 0.05
paxos min wait = 0.01

[mon]
mon data = $RGW_DIR/mon/\$cluster-\$id

[osd]
osd data = $RGW_DIR/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = $RGW_MEMSTORE_BYTES
osd memory target = 939524096
osd max object size = 1073741824
# with auth none the OSD sends its start-up mon commands with a zero fsid ("wrong fsid");
# skip them and place osd.0 in the crush map from the CLI instead
osd crush update on start = false
osd class update on start = false

[client.rgw.a]
rgw data = $RGW_DIR/rgw
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw enable apis = s3, admin, sts, iam
rgw s3 auth use sts = true
rgw sts key = $STS_KEY
EOF
}

cmd_start() {
  command -v ceph-mon >/dev/null || die "ceph-mon not found (apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common)"
  command -v node >/dev/null || die "node not found"
  [[ "$(id -u)" == 0 ]] || die "must run as root"
  [[ ${#STS_KEY} == 16 ]] || die "rgw sts key must be 16 chars"

  cmd_stop
  port_busy "$RGW_PORT" && die "port $RGW_PORT (RGW_PORT) is already in use"
  port_busy "$RGW_MON_PORT" && die "port $RGW_MON_PORT (RGW_MON_PORT) is already in use"
  mkdir -p "$RGW_DIR" "$LOG_DIR" "$RUN_DIR" "$RGW_DIR/mon/ceph-a" "$RGW_DIR/osd/ceph-0" "$RGW_DIR/rgw"
  touch "$RGW_DIR/.ckan-portal-rgw"
  STARTING=1

  local t0 fsid osd_uuid osd_id i
  t0=$(date +%s.%N)
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  write_conf "$fsid"

  # --- monitor
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$RGW_MON_PORT]" "$RGW_DIR/monmap" \
    >"$LOG_DIR/monmaptool.out" 2>&1 || die "monmaptool failed" "$LOG_DIR/monmaptool.out"
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$RGW_DIR/monmap" >"$LOG_DIR/mon.a.out" 2>&1 \
    || die "ceph-mon --mkfs failed" "$LOG_DIR/mon.a.out" "$LOG_DIR/mon.a.log"
  ceph-mon -c "$CONF" -i a --pid-file "$RUN_DIR/mon.a.pid" >>"$LOG_DIR/mon.a.out" 2>&1 \
    || die "ceph-mon failed to start" "$LOG_DIR/mon.a.out" "$LOG_DIR/mon.a.log"

  # --- osd (memstore)
  osd_id="$(ceph_cli osd new "$osd_uuid" 2>"$LOG_DIR/ceph-cli.err")" \
    || die "ceph osd new failed (monitor not reachable?)" "$LOG_DIR/ceph-cli.err" "$LOG_DIR/mon.a.log"
  [[ "$osd_id" == 0 ]] || die "unexpected osd id '$osd_id'"
  # Idempotent, so asked up to 5 times: on a loaded machine the monitor has once answered a fresh CLI
  # connection "EPERM: problem getting command descriptions from mon" right after `osd new`.
  local attempt
  for attempt in 1 2 3 4 5; do
    if ceph_cli osd crush add osd.0 1.0 host=localhost root=default >>"$LOG_DIR/ceph-cli.out" 2>>"$LOG_DIR/ceph-cli.err"; then break; fi
    [[ $attempt == 5 ]] && die "ceph osd crush add failed (5 attempts)" "$LOG_DIR/ceph-cli.err" "$LOG_DIR/mon.a.log"
    sleep 2
  done
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$LOG_DIR/osd.0.out" 2>&1 \
    || die "ceph-osd --mkfs failed" "$LOG_DIR/osd.0.out" "$LOG_DIR/osd.0.log"
  ceph-osd -c "$CONF" -i 0 --pid-file "$RUN_DIR/osd.0.pid" >>"$LOG_DIR/osd.0.out" 2>&1 \
    || die "ceph-osd failed to start" "$LOG_DIR/osd.0.out" "$LOG_DIR/osd.0.log"

  # wait until the OSD is up in the osdmap (radosgw would block on its pools otherwise)
  for ((i = 0; ; i++)); do
    if ceph_cli osd dump 2>/dev/null | grep -q '^osd\.0 up'; then break; fi
    pid_alive "$RUN_DIR/osd.0.pid" || die "ceph-osd exited" "$LOG_DIR/osd.0.out" "$LOG_DIR/osd.0.log"
    ((i < RGW_START_TIMEOUT * 10)) || die "osd.0 not up after ${RGW_START_TIMEOUT}s" "$LOG_DIR/osd.0.log" "$LOG_DIR/mon.a.log"
    sleep 0.1
  done

  # --- radosgw
  radosgw -c "$CONF" -n client.rgw.a --pid-file "$RUN_DIR/radosgw.pid" >"$LOG_DIR/radosgw.out" 2>&1 \
    || die "radosgw failed to start" "$LOG_DIR/radosgw.out" "$LOG_DIR/client.rgw.a.log"
  for ((i = 0; ; i++)); do
    s3_answers && break
    if ((i > 20)) && ! pid_alive "$RUN_DIR/radosgw.pid"; then
      die "radosgw exited" "$LOG_DIR/radosgw.out" "$LOG_DIR/client.rgw.a.log"
    fi
    ((i < RGW_START_TIMEOUT * 10)) || die "S3 endpoint $ENDPOINT not answering after ${RGW_START_TIMEOUT}s" \
      "$LOG_DIR/client.rgw.a.log" "$LOG_DIR/osd.0.log"
    sleep 0.1
  done

  # --- user, role, policy
  rgw_admin user create --uid="$PORTAL_UID" --display-name="CKAN upload portal" \
    --access-key="$PORTAL_ACCESS_KEY" --secret-key="$PORTAL_SECRET_KEY" \
    >"$LOG_DIR/setup.out" 2>"$LOG_DIR/setup.err" \
    || die "radosgw-admin user create failed" "$LOG_DIR/setup.err" "$LOG_DIR/setup.out"

  local trust policy role_json role_arn
  trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/'"$PORTAL_UID"'"]},"Action":["sts:AssumeRole"]}]}'
  policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::*"]}]}'
  role_json="$(rgw_admin role create --role-name="$ROLE_NAME" --assume-role-policy-doc="$trust" 2>"$LOG_DIR/setup.err")" \
    || die "radosgw-admin role create failed" "$LOG_DIR/setup.err"
  echo "$role_json" >>"$LOG_DIR/setup.out"
  role_arn="$(printf '%s' "$role_json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const r=j.role||j;process.stdout.write(r.Arn||r.arn||"")})')"
  [[ "$role_arn" == arn:aws:iam::* ]] || die "could not parse role ARN from: $role_json"
  rgw_admin role-policy put --role-name="$ROLE_NAME" --policy-name=portal-broad --policy-doc="$policy" \
    >>"$LOG_DIR/setup.out" 2>"$LOG_DIR/setup.err" \
    || die "radosgw-admin role-policy put failed" "$LOG_DIR/setup.err"

  # --- env file
  cat >"$RGW_DIR/env.tmp" <<EOF
export S3_ENDPOINT=$ENDPOINT
export S3_REGION=us-east-1
export S3_BUCKET=$RGW_BUCKET
export S3_FORCE_PATH_STYLE=true
export AWS_ACCESS_KEY_ID=$PORTAL_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$PORTAL_SECRET_KEY
export S3_ROLE_ARN=$role_arn
export STS_ENDPOINT=$ENDPOINT
EOF

  # --- bucket + CORS (node, @aws-sdk/client-s3)
  (
    # shellcheck disable=SC1091
    source "$RGW_DIR/env.tmp"
    cd "$SCRIPT_DIR/.." && node "$SCRIPT_DIR/rgw-setup.mjs"
  ) >>"$LOG_DIR/setup.out" 2>"$LOG_DIR/setup.err" \
    || die "bucket/CORS setup failed" "$LOG_DIR/setup.err" "$LOG_DIR/client.rgw.a.log"

  mv "$RGW_DIR/env.tmp" "$RGW_DIR/env"
  log "ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s; env file: $RGW_DIR/env"
  cat "$RGW_DIR/env"
}

cmd_status() {
  local ok=0 d
  for d in mon.a osd.0 radosgw; do
    if pid_alive "$RUN_DIR/$d.pid"; then
      echo "$d: running (pid $(cat "$RUN_DIR/$d.pid"))"
    else
      echo "$d: not running"; ok=1
    fi
  done
  if s3_answers; then echo "s3: $ENDPOINT answers"; else echo "s3: $ENDPOINT not answering"; ok=1; fi
  [[ -f "$RGW_DIR/env" ]] && echo "env: $RGW_DIR/env"
  return $ok
}

cmd_env() {
  [[ -f "$RGW_DIR/env" ]] || die "no env file at $RGW_DIR/env (run: $0 start)"
  cat "$RGW_DIR/env"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 {start|stop|status|env}" >&2
    exit 2
    ;;
esac
