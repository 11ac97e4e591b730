/*
 * fuzz_conf -- the prickle.conf parser: conf_load() on arbitrary file
 * contents, then conf_check() and conf_dump(); and the --set path
 * (conf_apply_override) and conf_listen_parse() on each line.
 *
 * Input: the file contents.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

static char	 path[4096];
static FILE	*devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*dir = getenv("TMPDIR");
	int		 fd;

	/* Every run writes the file: memory-backed is faster. */
	if (dir == NULL)
		dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(path, sizeof(path), "%s/fuzz-conf.XXXXXX", dir);
	if ((fd = mkstemp(path)) == -1)
		abort();
	close(fd);
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	return 0;
}

static void
cleanup(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 registered;
	struct conf		 c;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 err[1024], *text, *line, *save;
	FILE			*f;

	if (!registered) {
		atexit(cleanup);
		registered = 1;
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);

	conf_defaults(&c);
	if (conf_load(&c, path, err, sizeof(err)) == 0 &&
	    conf_check(&c, err, sizeof(err)) == 0)
		conf_dump(&c, devnull);
	conf_free(&c);

	/* Each line as a --set KEY=VALUE and as a listen address. */
	conf_defaults(&c);
	text = fuzz_copy(data, size);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		(void)conf_apply_override(&c, line, err, sizeof(err));
		(void)conf_listen_parse(line, &ss, &len, err, sizeof(err));
	}
	if (conf_check(&c, err, sizeof(err)) == 0)
		conf_dump(&c, devnull);
	conf_free(&c);
	free(text);
	return 0;
}
