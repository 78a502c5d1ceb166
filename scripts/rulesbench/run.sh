#!/usr/bin/env bash
# Measures Accord's generated Prometheus rules against Sloth's for the same
# N SLOs, side by side in one run: two Prometheus servers (Debian's
# prometheus) over copies of the same backfilled TSDB, scraping the same
# live counters, one loading Accord's rules and the other Sloth's. Prints
# each server's process CPU over the measured minutes, the rule groups'
# evaluation time, and the ratio; then the time and peak memory of
# generating the rules of GEN SLOs with each tool.
#
#   N=1000 DAYS=30 MINUTES=10 GEN=10000 scripts/rulesbench/run.sh
#
# Sloth runs as `go run github.com/slok/sloth/cmd/sloth@v0.16.0` (or
# $SLOTH, a built binary). Everything is written to a temporary directory
# (kept: its path is printed), and every process started is stopped.
set -euo pipefail
N=${N:-100} DAYS=${DAYS:-4} MINUTES=${MINUTES:-10} GEN=${GEN:-10000}
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/rulesbench.XXXXXX)
echo "work: $work  N=$N DAYS=$DAYS MINUTES=$MINUTES GEN=$GEN"
go build -o "$work/accord" ./cmd/accord
go build -o "$work/rulesbench" ./scripts/rulesbench
if [ -z "${SLOTH:-}" ]; then
  GOBIN="$work" go install github.com/slok/sloth/cmd/sloth@v0.16.0
  SLOTH="$work/sloth"
fi

"$work/rulesbench" spec "$N" > "$work/slos.yaml"
"$work/accord" generate prometheus "$work/slos.yaml" > "$work/accord.rules.yaml"
"$SLOTH" generate -i "$work/slos.yaml" -o "$work/sloth.rules.yaml" 2>/dev/null
promtool check rules "$work/accord.rules.yaml" "$work/sloth.rules.yaml" | grep -c SUCCESS
echo "rules: accord $(grep -cE '^ *- (record|alert):' "$work/accord.rules.yaml"), sloth $(grep -cE '^ *- (record|alert):' "$work/sloth.rules.yaml")"

echo "backfilling $DAYS days of $((2 * N)) counters, one sample a minute"
"$work/rulesbench" openmetrics "$N" "$DAYS" > "$work/data.om"
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/tsdb" > /dev/null
rm "$work/data.om"
cp -r "$work/tsdb" "$work/tsdb-accord"
mv "$work/tsdb" "$work/tsdb-sloth"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
exporter=$(free_port)
"$work/rulesbench" serve "$N" "127.0.0.1:$exporter" &
pids=($!)
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
declare -A port pid
for who in accord sloth; do
  cat > "$work/$who.yml" <<YAML
global: {scrape_interval: 15s, evaluation_interval: 1m}
rule_files: [$work/$who.rules.yaml]
scrape_configs:
  - job_name: counters
    static_configs: [{targets: ['127.0.0.1:$exporter']}]
YAML
  port[$who]=$(free_port)
  prometheus --config.file="$work/$who.yml" --storage.tsdb.path="$work/tsdb-$who" \
    --storage.tsdb.retention.time=60d --web.listen-address="127.0.0.1:${port[$who]}" \
    > "$work/$who.log" 2>&1 &
  pid[$who]=$!
  pids+=($!)
done

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, in clock ticks
query() { curl -s "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "nan")'; }
echo "warming up 3 minutes"
sleep 180
declare -A c0 d0
for who in accord sloth; do
  c0[$who]=$(cpu "${pid[$who]}")
  d0[$who]=$(query "${port[$who]}" 'sum(prometheus_rule_group_last_duration_seconds)')
done
echo "measuring $MINUTES minutes"
sleep $((MINUTES * 60))
hz=$(getconf CLK_TCK)
declare -A cpus groups
for who in accord sloth; do
  cpus[$who]=$(echo "scale=2; ($(cpu "${pid[$who]}") - ${c0[$who]}) / $hz" | bc)
  groups[$who]=$(query "${port[$who]}" 'sum(avg_over_time(prometheus_rule_group_last_duration_seconds['"$MINUTES"'m]) )')
  echo "$who: process CPU ${cpus[$who]} s in $MINUTES min; rule groups take ${groups[$who]} s per evaluation round (average)"
done
echo "ratio accord/sloth: CPU $(echo "scale=3; ${cpus[accord]} / ${cpus[sloth]}" | bc), rule-group time $(python3 -c "print(round(${groups[accord]} / ${groups[sloth]}, 3))")"
for who in accord sloth; do
  echo "$who budget-left series: $(query "${port[$who]}" 'count(slo:error_budget_remaining:ratio or slo:period_error_budget_remaining:ratio)')"
done

echo "generating the rules of $GEN SLOs"
"$work/rulesbench" spec "$GEN" > "$work/gen.yaml"
/usr/bin/time -f "accord: %e s, %M KB peak" "$work/accord" generate prometheus "$work/gen.yaml" > /dev/null
/usr/bin/time -f "sloth: %e s, %M KB peak" "$SLOTH" generate -i "$work/gen.yaml" -o /dev/null 2>&1 >/dev/null | grep -v level= | grep -v INFO || true
