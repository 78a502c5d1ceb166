#!/usr/bin/env bash
# Measures Accord's generated Prometheus rules against Sloth's for the same
# N SLOs, side by side in one run, with every window the rules read full:
#
#   N=1000 ROUNDS=4 MINUTES=4 GEN=10000 scripts/rulesbench/run.sh
#
# 1. Generates N Sloth SLOs, and both tools' rules for them; checks them with
#    promtool and counts the rules.
# 2. Starts a counters exporter and two Prometheus servers (Debian's) on empty
#    storage, one with Accord's rules and one with Sloth's, both scraping the
#    same counters every 15 s and evaluating every minute; prints how soon
#    each has the budget of every SLO, and notes when each group evaluates.
# 3. Writes, up to a moment LEAD minutes ahead, the same 3 days of counters
#    every 15 s for both, and for each the history of the recordings its rules
#    read over ranges, at its groups' evaluation times, with the values the
#    rules record from those counters (scripts/rulesbench/backfill.go):
#    Accord's per-minute events for 6 hours, 5-minute tiles for 3 days and
#    hourly tiles for 30 days; Sloth's 5-minute ratios for 30 days.
#    `promtool tsdb create-blocks-from openmetrics` makes the blocks. At that
#    moment two new servers start on them, so the live data continue the
#    history without a gap.
# 4. After WARMUP minutes, ROUNDS rounds of MINUTES: each server's process CPU
#    and rule-group evaluation time, and their ratio; then every window's
#    error ratio against the true one, and how full the long windows are.
# 5. The time, CPU and peak memory of generating GEN SLOs' rules with each
#    tool, both at once, three times.
#
# Sloth is $SLOTH (a built sloth binary), or built from
# github.com/slok/sloth/cmd/sloth@v0.16.0. Everything is written to a
# temporary directory (kept, its path printed; the backfill files are
# deleted once made into blocks). Every process started is stopped on exit.
set -euo pipefail
N=${N:-100} ROUNDS=${ROUNDS:-5} MINUTES=${MINUTES:-4} WARMUP=${WARMUP:-5} GEN=${GEN:-10000}
# Minutes to write both backfills and make their blocks, at once: Sloth's,
# the longer, took 0.55 s per SLO on the quiet 2-core development machine
# (9.5 GB of OpenMetrics for 1,000 SLOs); this allows some 1.3 s.
LEAD=${LEAD:-$((3 + N * 12 / 1000))}
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/rulesbench.XXXXXX)
echo "work: $work  N=$N ROUNDS=$ROUNDS MINUTES=$MINUTES WARMUP=$WARMUP GEN=$GEN LEAD=$LEAD"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(prometheus --version 2>&1 | head -1)"

pids=()
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop EXIT

go build -o "$work/accord" ./cmd/accord
go build -o "$work/rulesbench" ./scripts/rulesbench
bench="$work/rulesbench"
if [ -z "${SLOTH:-}" ]; then
  GOBIN="$work" go install github.com/slok/sloth/cmd/sloth@v0.16.0
  SLOTH="$work/sloth"
fi

echo "--- rules for $N SLOs"
"$bench" spec "$N" > "$work/slos.yaml"
"$work/accord" generate prometheus "$work/slos.yaml" > "$work/accord.rules.yaml"
# Sloth writes one YAML document per input document (a service), and
# Prometheus reads only the first document of a rule file: one list of
# groups holds them all.
one_document() { awk 'NR == 1 {print "groups:"} /^(---|groups:|#)/ {next} {print}' "$1"; }
"$SLOTH" generate -i "$work/slos.yaml" -o "$work/sloth.docs.yaml" 2>/dev/null
one_document "$work/sloth.docs.yaml" > "$work/sloth.rules.yaml"
# Sloth's alerts of different SLOs share their name and labels, which
# promtool's duplicate-rule lint reports; it is not an error.
promtool check rules "$work/accord.rules.yaml" | grep -E 'SUCCESS|FAILED'
promtool check rules --lint=none "$work/sloth.rules.yaml" | grep -E 'SUCCESS|FAILED'
for who in accord sloth; do
  echo "$who: $(grep -cE '^ *- (record|alert):' "$work/$who.rules.yaml") rules, $(grep -cE '^ *- name:' "$work/$who.rules.yaml") groups"
done
[ "$(grep -cE '^ *- (record|alert):' "$work/sloth.rules.yaml")" -eq $((17 * N)) ] ||
  { echo "Sloth's rules are not 17 per SLO" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
exporter=$(free_port)
"$bench" serve "$N" "127.0.0.1:$exporter" &
pids+=($!)
for who in accord sloth; do
  cat > "$work/$who.yml" <<YAML
global: {scrape_interval: 15s, evaluation_interval: 1m}
rule_files: [$work/$who.rules.yaml]
scrape_configs:
  - job_name: counters
    static_configs: [{targets: ['127.0.0.1:$exporter']}]
    # The backfilled counters carry no job and instance: so that the live
    # samples continue the same series, they carry none either.
    metric_relabel_configs: [{action: labeldrop, regex: job|instance}]
YAML
done
declare -A pid url
# start_servers DIR_PREFIX starts both servers on storage DIR_PREFIX-accord
# and DIR_PREFIX-sloth.
start_servers() {
  for who in accord sloth; do
    local port
    port=$(free_port)
    url[$who]="http://127.0.0.1:$port"
    mkdir -p "$1-$who"
    prometheus --config.file="$work/$who.yml" --storage.tsdb.path="$1-$who" \
      --storage.tsdb.retention.time=60d --web.listen-address="127.0.0.1:$port" \
      >> "$work/$who.log" 2>&1 &
    pid[$who]=$!
    pids+=($!)
  done
}
stop_servers() {
  for who in accord sloth; do
    kill "${pid[$who]}"
    wait "${pid[$who]}" || true
    local left=()
    for p in "${pids[@]}"; do [ "$p" = "${pid[$who]}" ] || left+=("$p"); done
    pids=("${left[@]}")
  done
}

echo "--- budget present after (seconds since both servers started on empty storage)"
start_servers "$work/fresh"
"$bench" wait "${url[accord]}" 'slo:error_budget_remaining:ratio' "$N" > "$work/first-accord" &
pids+=($!)
"$bench" wait "${url[sloth]}" 'slo:period_error_budget_remaining:ratio' "$N" > "$work/first-sloth" &
pids+=($!)
wait "${pids[@]:3}"
pids=("${pids[@]:0:3}")
echo "accord slo:error_budget_remaining:ratio of all $N SLOs: $(cat "$work/first-accord") s"
echo "sloth slo:period_error_budget_remaining:ratio of all $N SLOs: $(cat "$work/first-sloth") s"
"$bench" wait "${url[accord]}" 'timestamp(slo:sli_total:increase1m)' "$N" > /dev/null
"$bench" wait "${url[sloth]}" 'timestamp(slo:sli_error:ratio_rate5m)' "$N" > /dev/null
for who in accord sloth; do "$bench" series "${url[$who]}" "$who" > "$work/$who.series"; done
stop_servers
rm -r "$work/fresh-accord" "$work/fresh-sloth"

end_ms=$(( ($(date +%s) + LEAD * 60) * 1000 ))
echo "--- backfilling up to $(date -d "@$((end_ms / 1000))" +%T): 3 days of $((2 * N)) counters every 15 s, and each server's recordings read over ranges"
# make_blocks WHO writes WHO's backfill and makes it into blocks.
make_blocks() {
  local start=$SECONDS
  "$bench" backfill "$N" "$end_ms" "$1" "$work/$1.series" > "$work/$1.om"
  local size
  size=$(du -h "$work/$1.om" | cut -f1)
  promtool tsdb create-blocks-from openmetrics --max-block-duration=1458h "$work/$1.om" "$work/tsdb-$1" > /dev/null
  rm "$work/$1.om"
  echo "$1: $size of OpenMetrics made into blocks in $((SECONDS - start)) s"
}
exporter_pid=${pids[0]}
make_blocks accord &
pids+=($!)
make_blocks sloth &
pids+=($!)
wait "${pids[@]:1}"
pids=("$exporter_pid")
now_ms=$(date +%s%3N)
if [ "$now_ms" -lt $((end_ms - 20000)) ]; then
  sleep $(( (end_ms - 20000 - now_ms) / 1000 ))
fi
start_servers "$work/tsdb"
echo "servers started $(( ($(date +%s%3N) - end_ms) / 1000 )) s after the backfill's end (scrapes and recordings before it are refused as out of bounds)"
echo "--- warming up $WARMUP minutes"
sleep $((WARMUP * 60))
for who in accord sloth; do
  "$bench" series "${url[$who]}" "$who" | cmp -s - "$work/$who.series" ||
    { echo "$who: the groups evaluate at other offsets than the backfill assumed" >&2; exit 1; }
done
echo "--- measuring: $ROUNDS rounds of $MINUTES minutes, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" measure "$ROUNDS" "$MINUTES" "$(getconf CLK_TCK)" \
  "accord=${pid[accord]}@${url[accord]}" "sloth=${pid[sloth]}@${url[sloth]}"
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
for who in accord sloth; do
  echo "$who: resident memory $(awk '/VmRSS/{print $2 " " $3}' "/proc/${pid[$who]}/status"), $(curl -s "${url[$who]}/metrics" | awk '/^prometheus_tsdb_head_series /{print $2}') head series"
done

echo "--- error ratios against the true ratio"
"$bench" accuracy "$N" "${url[accord]}" "${url[sloth]}"
stop

echo "--- generating the rules of $GEN SLOs, both tools at once, three times"
"$bench" spec "$GEN" > "$work/gen.yaml"
report() { awk -v who="$1" -F': ' '/Elapsed/{e=$2} /User time/{u=$2} /System time/{s=$2} /Maximum resident/{m=$2}
  END{printf "%s: %s wall, %.2f s CPU, %.0f MB peak\n", who, e, u+s, m/1024}' "$2"; }
for r in 1 2 3; do
  /usr/bin/time -v "$work/accord" generate prometheus "$work/gen.yaml" > "$work/gen-accord.yaml" 2> "$work/time-accord" &
  pids+=($!)
  /usr/bin/time -v "$SLOTH" generate -i "$work/gen.yaml" -o "$work/gen-sloth.yaml" > /dev/null 2> "$work/time-sloth" &
  pids+=($!)
  wait "${pids[@]}"
  pids=()
  echo "run $r: $(report accord "$work/time-accord"); $(report sloth "$work/time-sloth")"
done
echo "rules for $GEN SLOs: accord $(grep -cE '^ *- (record|alert):' "$work/gen-accord.yaml"), sloth $(grep -cE '^ *- (record|alert):' "$work/gen-sloth.yaml")"
