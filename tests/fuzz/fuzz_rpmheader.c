/* libFuzzer target: the RPM header reader (rpmdb.sqlite's Packages blobs). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/rpmheader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_file(void *arg, const char *package, const char *dir, const char *base)
{
	size_t *count = arg;
	/* every string handed out lies inside the blob, NUL-terminated */
	if (strlen(package) + strlen(dir) + strlen(base) > 3 * (256u << 20))
		abort();
	(*count)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	size_t count = 0;

	err[0] = '\0';
	if (rpm_header_files(data, size, check_file, &count, err, sizeof(err)) != 0 && err[0] == '\0')
		abort();
	return 0;
}
