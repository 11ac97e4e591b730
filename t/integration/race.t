#!/usr/bin/env bash
# Concurrent PATCHes of one user are applied atomically, one after the
# other: no notification_settings map entry is lost (users-api.md §5.3.9).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 --set pm.max_children=4

cli_into ANN user add --email ann@example.com
cli_into K key add --email ann@example.com --scopes 'user:write'

N=20
PIDS=()
PIDS2=()
OUT=$STACK_TMP/race
mkdir -p "$OUT"
for i in $(seq 1 "$N"); do
	curl -s -o "$OUT/$i.body" -w '%{http_code}\n' --max-time 30 --cacert "$PRICKLE_CA" \
	    -X PATCH -H "Authorization: Bearer $K" -H 'Content-Type: application/json' \
	    --data-binary "{\"notification_settings\":{\"project_weekly_digest_disabled\":{\"$i\":true}},\"first_name\":\"w$i\"}" \
	    "$PRICKLE_URL/api/users/@me/" >"$OUT/$i.code" &
	PIDS+=($!)
done
# only the requests: the test's watchdog is a background job too
wait "${PIDS[@]}"
CODES=$(cat "$OUT"/*.code | sort | uniq -c | tr -s ' ')
is "$CODES" " $N 200" "$N concurrent PATCHes: all 200"

api_key "$K" GET /api/users/@me/
is "$(jbody '.notification_settings.project_weekly_digest_disabled | keys | length')" "$N" \
    "all $N map entries present"
is "$(jbody '[.notification_settings.project_weekly_digest_disabled[]] | all')" true "every entry true"
like "$(jbody -r .first_name)" '^w([1-9]|1[0-9]|20)$' "first_name is one of the writes"

# Mixed concurrent writers: different keys of the same map and a second map.
for i in $(seq 1 10); do
	curl -s -o /dev/null --max-time 30 --cacert "$PRICKLE_CA" \
	    -X PATCH -H "Authorization: Bearer $K" -H 'Content-Type: application/json' \
	    --data-binary "{\"notification_settings\":{\"organization_member_join_email_disabled\":{\"o$i\":false},\"project_weekly_digest_disabled\":{\"$i\":false}}}" \
	    "$PRICKLE_URL/api/users/@me/" &
	PIDS2+=($!)
done
wait "${PIDS2[@]}"
api_key "$K" GET /api/users/@me/
is "$(jbody '.notification_settings.organization_member_join_email_disabled | length')" 10 \
    "second map: all 10 entries"
is "$(jbody '[.notification_settings.project_weekly_digest_disabled[] | select(. == false)] | length')" 10 \
    "first map: 10 entries overwritten with false"
is "$(jbody '.notification_settings.project_weekly_digest_disabled | length')" "$N" "first map: still $N entries"

done_testing
