#!/usr/bin/env bash
# make hub-demo: a throwaway PostgreSQL cluster, the hub, and three training
# desks (each its own data folder and training key, registered on the hub)
# making payments that ship to it; prints the partner page's address and a
# login, and keeps it all up until Enter (or DEMO_WAIT=0: stops at once,
# for CI). Everything lives in one temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
PORT=${HUB_PORT:-8790}
PAYMENTS=${DEMO_PAYMENTS:-6}
tmp=$(mktemp -d -t paydesk-hub-demo.XXXXXX)
chmod 755 "$tmp"
hub_pid=""
cleanup() {
	[[ -n "$hub_pid" ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null || true
	bash scripts/pg.sh stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

$GO build -o "$tmp/paydeskhub" ./cmd/paydeskhub
$GO build -o "$tmp/paydeskctl" ./cmd/paydeskctl
export PAYDESK_HUB_DB
PAYDESK_HUB_DB=$(bash scripts/pg.sh start)
hub() { "$tmp/paydeskhub" "$@"; }
hub migrate >/dev/null
hub partner add --id demo --name "Демо-партнёр" >/dev/null
printf 'demo-partner-1\n' >"$tmp/partner.pw"
hub user add --login partner --partner demo --password-file "$tmp/partner.pw" >/dev/null

printf '1111\n' >"$tmp/kassir.pin"
printf '222222\n' >"$tmp/manager.pin"
for i in 1 2 3; do
	d="$tmp/desk$i"
	mkdir -p "$d"
	# The first start makes the desk's training books and key; the shift
	# is opened before the desk knows the hub.
	PAYDESK_CONFIG="" PAYDESK_DATA_DIR="$d" "$tmp/paydeskctl" shift open --cashier kassir --pin-file "$tmp/kassir.pin" --float 1000.00 >/dev/null
	hub point add --id "P$i" --partner demo --name "Салон связи №$i" --key "$d/training/keys/dealer.key" --serial 17033 >/dev/null
done

"$tmp/paydeskhub" serve --listen "127.0.0.1:$PORT" >"$tmp/hub.log" 2>&1 &
hub_pid=$!
up=""
for _ in $(seq 50); do
	kill -0 "$hub_pid" 2>/dev/null || break
	curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && up=1 && break
	sleep 0.2
done
if [[ -z "$up" ]]; then
	cat "$tmp/hub.log" >&2
	echo "hub-demo: the hub did not start on 127.0.0.1:$PORT (HUB_PORT=... picks another port)" >&2
	exit 1
fi

paid=0
drawer2=1000
for i in 1 2 3; do
	for n in $(seq "$PAYMENTS"); do
		rub=$(( (n * 137 + i * 59) % 900 + 100 ))
		amount=$rub.00
		if PAYDESK_CONFIG="" PAYDESK_DATA_DIR="$tmp/desk$i" PAYDESK_HUB_URL="http://127.0.0.1:$PORT" PAYDESK_HUB_POINT="P$i" \
			"$tmp/paydeskctl" pay --cashier kassir --pin-file "$tmp/kassir.pin" --provider mts \
			--number "916$i$(printf '%06d' "$n")" --amount "$amount" >/dev/null; then
			paid=$((paid + 1))
			[[ $i == 2 ]] && drawer2=$((drawer2 + rub))
		fi
	done
done
# The second desk closes its shift: its Z report reaches the hub too.
PAYDESK_CONFIG="" PAYDESK_DATA_DIR="$tmp/desk2" PAYDESK_HUB_URL="http://127.0.0.1:$PORT" PAYDESK_HUB_POINT="P2" \
	"$tmp/paydeskctl" shift close --cashier manager --pin-file "$tmp/manager.pin" --counted "$drawer2.00" >/dev/null

echo "hub-demo: $paid payments from 3 desks shipped to the hub"
echo "  partner page: http://127.0.0.1:$PORT/login   login: partner   password: demo-partner-1"
hub point list
[[ -n "${DEMO_LOG:-}" ]] && cat "$tmp/hub.log"
if [[ "${DEMO_WAIT:-1}" != 0 ]]; then
	read -r -p "Enter stops the demo (the cluster and every file go) " _ || true
fi
