/*
 * apikey -- personal API key helpers; see apikey.h.
 */
#include <string.h>

#include "apikey.h"
#include "crypto.h"

#define APIKEY_PREFIX		"phx_"
#define APIKEY_RANDOM_BYTES	35
#define APIKEY_SECURE_PREFIX	"sha256$"

void
apikey_generate(char out[APIKEY_MAX])
{
	unsigned char	 raw[APIKEY_RANDOM_BYTES];
	char		 b62[2 * APIKEY_RANDOM_BYTES + 1];

	crypto_random(raw, sizeof(raw));
	crypto_base62(raw, sizeof(raw), b62);
	/* 280 bits are at most 48 base62 digits: always fits. */
	strcpy(out, APIKEY_PREFIX);
	strcat(out, b62);
}

void
apikey_secure_value(const char *key, char out[APIKEY_SECURE_MAX])
{
	char	 hex[65];

	crypto_sha256_hex(key, strlen(key), hex);
	strcpy(out, APIKEY_SECURE_PREFIX);
	strcat(out, hex);
}

void
apikey_mask(const char *key, char out[APIKEY_MASK_MAX])
{
	size_t	 len = strlen(key), head, tail;

	head = len < 4 ? len : 4;
	tail = len < 4 ? len : 4;
	memcpy(out, key, head);
	memcpy(out + head, "...", 3);
	memcpy(out + head + 3, key + len - tail, tail);
	out[head + 3 + tail] = '\0';
}

/* "<object>:<read|write>" with a non-empty object of [a-z_] or "*". */
bool
apikey_scope_valid(const char *scope)
{
	const char	*colon, *p;

	if (strcmp(scope, "*") == 0)
		return true;
	if ((colon = strchr(scope, ':')) == NULL || colon == scope)
		return false;
	for (p = scope; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return false;
	return strcmp(colon + 1, "read") == 0 ||
	    strcmp(colon + 1, "write") == 0;
}
