#!/usr/bin/env bash
# PATCH notification_settings — validation messages and merge semantics
# (users-api.md §5.3.6).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000

cli_into ANN user add --email ann@example.com
cli_into K key add --email ann@example.com --scopes 'user:write'

ns_patch() {
	api_key "$K" PATCH /api/users/@me/ -H 'Content-Type: application/json' \
	    --data-binary "{\"notification_settings\":$1}"
}
# ns_err DESC VALUE DETAIL [CODE]: 400 with attr notification_settings.
ns_err() {
	ns_patch "$2"
	is "$STATUS" 400 "$1: 400"
	is "$BODY" "$(jq -cn --arg d "$3" --arg c "${4:-invalid_input}" \
	    '{type:"validation_error",code:$c,detail:$d,attr:"notification_settings"}')" "$1: body"
}
# The defaults with jq expression EXPR applied, compact.
expect_ns() { printf '%s' "$NOTIFICATION_DEFAULTS" | jq -c "$1"; }
stored() { sql "SELECT notification_settings FROM users WHERE uuid = '$ANN'"; }

# --- messages -------------------------------------------------------------------
ns_err "not an object" '[1]' 'Expected a dictionary of items but got type "list".' not_a_dict
ns_err "a string" '"x"' 'Expected a dictionary of items but got type "str".' not_a_dict
ns_err "null" 'null' 'This field may not be null.' null
ns_err "unknown key" '{"foo":true}' 'Key foo is not valid as a key for notification settings'
ns_err "newer PostHog key is unknown here" '{"pipeline_notifications_disabled":{}}' \
    'Key pipeline_notifications_disabled is not valid as a key for notification settings'
ns_err "map not an object" '{"project_weekly_digest_disabled":true}' \
    'project_weekly_digest_disabled must be a dictionary mapping IDs to boolean values'
ns_err "map is a list" '{"organization_member_join_email_disabled":[]}' \
    'organization_member_join_email_disabled must be a dictionary mapping IDs to boolean values'
ns_err "map entry str" '{"project_weekly_digest_disabled":{"1":"yes"}}' \
    "Notification setting values must be boolean, got <class 'str'> instead"
ns_err "map entry int" '{"project_weekly_digest_disabled":{"1":1}}' \
    "Notification setting values must be boolean, got <class 'int'> instead"
ns_err "map entry null" '{"project_weekly_digest_disabled":{"1":null}}' \
    "Notification setting values must be boolean, got <class 'NoneType'> instead"
ns_err "map entry list" '{"project_weekly_digest_disabled":{"1":[]}}' \
    "Notification setting values must be boolean, got <class 'list'> instead"
ns_err "map entry dict" '{"project_weekly_digest_disabled":{"1":{}}}' \
    "Notification setting values must be boolean, got <class 'dict'> instead"
ns_err "map entry float" '{"project_weekly_digest_disabled":{"1":0.5}}' \
    "Notification setting values must be boolean, got <class 'float'> instead"
ns_err "threshold str" '{"data_pipeline_error_threshold":"0.5"}' \
    "data_pipeline_error_threshold must be a number, got <class 'str'> instead"
ns_err "threshold null" '{"data_pipeline_error_threshold":null}' \
    "data_pipeline_error_threshold must be a number, got <class 'NoneType'> instead"
ns_err "threshold > 1" '{"data_pipeline_error_threshold":1.5}' \
    "data_pipeline_error_threshold must be between 0.0 and 1.0, got 1.5"
ns_err "threshold int > 1" '{"data_pipeline_error_threshold":2}' \
    "data_pipeline_error_threshold must be between 0.0 and 1.0, got 2"
ns_err "threshold < 0" '{"data_pipeline_error_threshold":-0.01}' \
    "data_pipeline_error_threshold must be between 0.0 and 1.0, got -0.01"
ns_err "bool key: str" '{"plugin_disabled":"yes"}' \
    "yes is not a valid type for notification settings, should be <class 'bool'>"
ns_err "bool key: int" '{"plugin_disabled":1}' \
    "1 is not a valid type for notification settings, should be <class 'bool'>"
ns_err "bool key: null" '{"discussions_mentioned":null}' \
    "None is not a valid type for notification settings, should be <class 'bool'>"
ns_err "bool key: list" '{"all_weekly_digest_disabled":[1,2]}' \
    "[1, 2] is not a valid type for notification settings, should be <class 'bool'>"
ns_err "bool key: dict" '{"plugin_disabled":{"a":1}}' \
    "{'a': 1} is not a valid type for notification settings, should be <class 'bool'>"
ns_err "bool key: float" '{"plugin_disabled":0.5}' \
    "0.5 is not a valid type for notification settings, should be <class 'bool'>"
ns_err "first failing key in the order sent" '{"plugin_disabled":false,"zzz":1,"aaa":2}' \
    'Key zzz is not valid as a key for notification settings'
ns_err "order sent, not field order" '{"plugin_disabled":"x","foo":true}' \
    "x is not a valid type for notification settings, should be <class 'bool'>"
is "$(stored)" NULL "nothing stored after the failures"

# --- merge ------------------------------------------------------------------------
ns_patch '{}'
is "$STATUS $(jbody .notification_settings)" "200 $NOTIFICATION_DEFAULTS" "empty object: the defaults"
is "$(stored | jq -c .)" "$NOTIFICATION_DEFAULTS" "the whole merged map is stored"
ns_patch '{"plugin_disabled":false,"project_weekly_digest_disabled":{"1":true,"2":false}}'
is "$(jbody .notification_settings)" \
    "$(expect_ns '.plugin_disabled = false | .project_weekly_digest_disabled = {"1":true,"2":false}')" \
    "scalar replaced, map set"
ns_patch '{"project_weekly_digest_disabled":{"3":true,"1":false}}'
is "$(jbody .notification_settings.project_weekly_digest_disabled)" '{"1":false,"2":false,"3":true}' \
    "map merged entry by entry (existing kept, submitted overwrite)"
is "$(jbody .notification_settings.plugin_disabled)" false "earlier scalar kept"
ns_patch '{"organization_member_join_email_disabled":{"org-a":true},"data_pipeline_error_threshold":1}'
is "$(jbody '.notification_settings | [.organization_member_join_email_disabled, .data_pipeline_error_threshold]')" \
    '[{"org-a":true},1]' "second map; threshold 1 accepted"
like "$BODY" '"data_pipeline_error_threshold":1\.0[,}]' "threshold stored as a float (1.0)"
ns_patch '{"data_pipeline_error_threshold":true}'
like "$BODY" '"data_pipeline_error_threshold":1\.0[,}]' "threshold: true counts as 1.0 (Python quirk)"
ns_patch '{"data_pipeline_error_threshold":0}'
like "$BODY" '"data_pipeline_error_threshold":0\.0[,}]' "threshold 0 -> 0.0"
ns_patch '{"data_pipeline_error_threshold":0.25,"all_weekly_digest_disabled":true}'
is "$(jbody '.notification_settings | [.data_pipeline_error_threshold, .all_weekly_digest_disabled]')" \
    '[0.25,true]' "threshold and a boolean together"
ns_patch '{"project_weekly_digest_disabled":{}}'
is "$(jbody .notification_settings.project_weekly_digest_disabled)" '{"1":false,"2":false,"3":true}' \
    "an empty map deletes nothing"
api_key "$K" GET /api/users/@me/
is "$(jbody .notification_settings)" \
    "$(expect_ns '.plugin_disabled = false | .project_weekly_digest_disabled = {"1":false,"2":false,"3":true} | .organization_member_join_email_disabled = {"org-a":true} | .data_pipeline_error_threshold = 0.25 | .all_weekly_digest_disabled = true')" \
    "GET shows the merged settings in the defaults' key order"
is "$(jbody '.notification_settings | keys_unsorted')" "$(expect_ns 'keys_unsorted')" "key order"
ns_patch '{"plugin_disabled":true,"foo":1}'
is "$STATUS" 400 "valid key then invalid key: 400"
api_key "$K" GET /api/users/@me/
is "$(jbody .notification_settings.plugin_disabled)" false "...and the valid key was not applied"

done_testing
