#!/usr/bin/env bash
# GET /api/users/ — visibility, filters, limit/offset pagination and the exact
# next/previous URLs (users-api.md §5.1).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up

# Six active users (two staff), one inactive, created in this order.
cli_into S1 user add --email staff1@example.com --staff
cli_into U1 user add --email u1@example.com
cli_into U2 user add --email 'Mixed.Case@Example.com'
cli_into U3 user add --email 'u+tag@example.com'
cli_into S2 user add --email staff2@example.com --staff
cli_into U4 user add --email u4@example.com
cli_into GONE user add --email gone@example.com
cli user deactivate --email gone@example.com >/dev/null || bail_out "deactivate failed"

cli_into K_STAFF key add --email staff1@example.com --scopes 'user:read'
cli_into K_U1 key add --email u1@example.com --scopes 'user:read'

ALL='["staff1@example.com","u1@example.com","Mixed.Case@Example.com","u+tag@example.com","staff2@example.com","u4@example.com"]'
STAFF='["staff1@example.com","staff2@example.com"]'
NONSTAFF='["u1@example.com","Mixed.Case@Example.com","u+tag@example.com","u4@example.com"]'
U="$PRICKLE_URL/api/users/"

emails() { jbody '[.results[].email]'; }

# page DESC COUNT EMAILS NEXT PREVIOUS: check a list response completely.
# NEXT and PREVIOUS are JSON values (null or a quoted URL).
page() {
	local desc=$1
	is "$STATUS" 200 "$desc: status"
	is "$(jbody keys_unsorted)" '["count","next","previous","results"]' "$desc: envelope keys in order"
	is "$(jbody .count)" "$2" "$desc: count"
	is "$(emails)" "$3" "$desc: results"
	is "$(jbody .next)" "$4" "$desc: next"
	is "$(jbody .previous)" "$5" "$desc: previous"
}

# slice FROM LEN: emails of ALL[FROM:FROM+LEN] as JSON.
slice() { jq -cn --argjson a "$ALL" "\$a[$1:$(($1 + $2))]"; }

url() { printf '"%s%s"' "$U" "$1"; }

# --- visibility -----------------------------------------------------------------------
api GET /api/users/
is "$STATUS" 401 "anonymous list: 401"

api_key "$K_U1" GET /api/users/
page "non-staff" 1 '["u1@example.com"]' null null
is "$(jbody '[.results[] | keys_unsorted == '"$USER_FIELDS"'] | all')" true \
    "non-staff: results are full user objects"
api_key "$K_U1" GET "/api/users/?email=staff1%40example.com"
page "non-staff, email of someone else" 0 '[]' null null
api_key "$K_U1" GET "/api/users/?email=u1%40example.com"
page "non-staff, own email" 1 '["u1@example.com"]' null null
api_key "$K_U1" GET "/api/users/?is_staff=true"
page "non-staff, is_staff=true" 0 '[]' null null
api_key "$K_U1" GET "/api/users/?is_staff=false"
page "non-staff, is_staff=false" 1 '["u1@example.com"]' null null
api_key "$K_U1" GET "/api/users/?limit=1"
page "non-staff, limit=1" 1 '["u1@example.com"]' null null

api_key "$K_STAFF" GET /api/users/
page "staff" 6 "$ALL" null null
is "$(jbody '[.results[] | keys_unsorted == '"$USER_FIELDS"'] | all')" true \
    "staff: every result is a full user object"
is "$(jbody '[.results[].id] | . == sort')" true "staff: ordered by id"
is "$(jbody '[.results[].uuid]')" "[\"$S1\",\"$U1\",\"$U2\",\"$U3\",\"$S2\",\"$U4\"]" \
    "staff: uuids in creation order"
is "$(jbody "[.results[] | select(.uuid == \"$GONE\")] | length")" 0 "staff: inactive user excluded"
api_key "$K_STAFF" GET /api/users
page "staff, no trailing slash" 6 "$ALL" null null

# --- email filter: exact and case-sensitive ------------------------------------------
api_key "$K_STAFF" GET "/api/users/?email=u1@example.com"
page "email=u1@example.com" 1 '["u1@example.com"]' null null
api_key "$K_STAFF" GET "/api/users/?email=U1@example.com"
page "email=U1@example.com (case differs)" 0 '[]' null null
api_key "$K_STAFF" GET "/api/users/?email=Mixed.Case%40Example.com"
page "email=Mixed.Case@Example.com" 1 '["Mixed.Case@Example.com"]' null null
api_key "$K_STAFF" GET "/api/users/?email=mixed.case%40example.com"
page "email=mixed.case@example.com (lower case)" 0 '[]' null null
api_key "$K_STAFF" GET "/api/users/?email=u%2Btag%40example.com"
page "email=u+tag@example.com (encoded plus)" 1 '["u+tag@example.com"]' null null
api_key "$K_STAFF" GET "/api/users/?email=u1"
page "email=u1 (no partial match)" 0 '[]' null null
api_key "$K_STAFF" GET "/api/users/?email=gone%40example.com"
page "email of an inactive user" 0 '[]' null null
api_key "$K_STAFF" GET "/api/users/?email="
page "email= (empty, ignored)" 6 "$ALL" null null
api_key "$K_STAFF" GET "/api/users/?unknown=1&email=u4%40example.com"
page "unknown parameters ignored" 1 '["u4@example.com"]' null null

# --- is_staff filter -------------------------------------------------------------------
for v in true 1 TRUE True; do
	api_key "$K_STAFF" GET "/api/users/?is_staff=$v"
	page "is_staff=$v" 2 "$STAFF" null null
done
for v in false 0 FALSE False; do
	api_key "$K_STAFF" GET "/api/users/?is_staff=$v"
	page "is_staff=$v" 4 "$NONSTAFF" null null
done
for v in garbage yes 2 ''; do
	api_key "$K_STAFF" GET "/api/users/?is_staff=$v"
	page "is_staff=$v (ignored)" 6 "$ALL" null null
done
api_key "$K_STAFF" GET "/api/users/?is_staff=true&email=staff2%40example.com"
page "is_staff=true and email" 1 '["staff2@example.com"]' null null
api_key "$K_STAFF" GET "/api/users/?is_staff=false&email=staff2%40example.com"
page "is_staff=false and a staff email" 0 '[]' null null

# --- limit / offset --------------------------------------------------------------------
api_key "$K_STAFF" GET "/api/users/?limit=2"
page "limit=2" 6 "$(slice 0 2)" "$(url '?limit=2&offset=2')" null
api_key "$K_STAFF" GET "/api/users/?limit=2&offset=2"
page "limit=2&offset=2" 6 "$(slice 2 2)" "$(url '?limit=2&offset=4')" "$(url '?limit=2')"
api_key "$K_STAFF" GET "/api/users/?offset=3&limit=2"
page "offset=3&limit=2" 6 "$(slice 3 2)" "$(url '?limit=2&offset=5')" "$(url '?limit=2&offset=1')"
api_key "$K_STAFF" GET "/api/users/?limit=2&offset=4"
page "limit=2&offset=4 (last page)" 6 "$(slice 4 2)" null "$(url '?limit=2&offset=2')"
api_key "$K_STAFF" GET "/api/users/?limit=4&offset=4"
page "limit=4&offset=4" 6 "$(slice 4 2)" null "$(url '?limit=4')"
api_key "$K_STAFF" GET "/api/users/?limit=5"
page "limit=5" 6 "$(slice 0 5)" "$(url '?limit=5&offset=5')" null
api_key "$K_STAFF" GET "/api/users/?limit=6"
page "limit=6 (= count)" 6 "$ALL" null null
api_key "$K_STAFF" GET "/api/users/?offset=4"
page "offset=4, default limit" 6 "$(slice 4 2)" null "$(url '?limit=100')"
api_key "$K_STAFF" GET "/api/users/?offset=6"
page "offset=6 (= count)" 6 '[]' null "$(url '?limit=100')"
api_key "$K_STAFF" GET "/api/users/?limit=2&offset=50"
page "offset beyond count" 6 '[]' null "$(url '?limit=2&offset=48')"
api_key "$K_STAFF" GET "/api/users/?limit=1&offset=1"
page "limit=1&offset=1" 6 "$(slice 1 1)" "$(url '?limit=1&offset=2')" "$(url '?limit=1')"

# Bad values fall back to the defaults (never an error).
for v in 0 -1 abc 1.5 ''; do
	api_key "$K_STAFF" GET "/api/users/?limit=$v"
	page "limit=$v -> 100" 6 "$ALL" null null
done
api_key "$K_STAFF" GET "/api/users/?limit=abc&offset=1"
page "limit=abc&offset=1" 6 "$(slice 1 5)" null "$(url '?limit=100')"
for v in -3 abc ''; do
	api_key "$K_STAFF" GET "/api/users/?limit=2&offset=$v"
	page "offset=$v -> 0" 6 "$(slice 0 2)" "$(url '?limit=2&offset=2')" null
done
api_key "$K_STAFF" GET "/api/users/?limit=1000000"
page "no maximum limit" 6 "$ALL" null null

# --- URL building: all parameters kept, sorted by name, form-encoded ---------------
api_key "$K_STAFF" GET "/api/users/?zeta=a%20b&alpha=x@y.com&limit=2"
page "parameters sorted and re-encoded" 6 "$(slice 0 2)" \
    "$(url '?alpha=x%40y.com&limit=2&offset=2&zeta=a+b')" null
api_key "$K_STAFF" GET "/api/users/?zeta=a+b&limit=2&offset=3"
page "'+' stays a space" 6 "$(slice 3 2)" \
    "$(url '?limit=2&offset=5&zeta=a+b')" "$(url '?limit=2&offset=1&zeta=a+b')"
api_key "$K_STAFF" GET "/api/users/?email=&limit=2&offset=2"
page "blank parameters kept" 6 "$(slice 2 2)" \
    "$(url '?email=&limit=2&offset=4')" "$(url '?email=&limit=2')"
api_key "$K_STAFF" GET "/api/users/?r=2&r=1&limit=2"
page "repeated parameters kept in order" 6 "$(slice 0 2)" \
    "$(url '?limit=2&offset=2&r=2&r=1')" null
api_key "$K_STAFF" GET "/api/users/?q=%7e%2f%3a%2C&limit=2"
page "percent-encoding normalised" 6 "$(slice 0 2)" \
    "$(url '?limit=2&offset=2&q=~%2F%3A%2C')" null
api_key "$K_STAFF" GET "/api/users/?is_staff=false&limit=2"
page "filters carried into next" 4 '["u1@example.com","Mixed.Case@Example.com"]' \
    "$(url '?is_staff=false&limit=2&offset=2')" null
api_key "$K_STAFF" GET "/api/users?limit=2&offset=2"
page "path kept as requested (no trailing slash)" 6 "$(slice 2 2)" \
    "\"$PRICKLE_URL/api/users?limit=2&offset=4\"" "\"$PRICKLE_URL/api/users?limit=2\""
api GET "/api/users/?personal_api_key=$K_STAFF&limit=2"
page "a query-string key is a parameter like any other" 6 "$(slice 0 2)" \
    "$(url "?limit=2&offset=2&personal_api_key=$K_STAFF")" null

done_testing
