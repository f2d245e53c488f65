/* Durations as the collector's options take them. */
#include <stdint.h>
#include <string.h>

#include "collector/duration.h"
#include "core/util.h"

/* "90m", "36h", "2d", "1w", "45s" or seconds; 0 on success. */
int parse_duration(const char *s, uint64_t *seconds)
{
	static const struct { char unit; uint64_t seconds; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 },
	};
	size_t len = strlen(s);
	uint64_t mult = 1, n;
	char digits[32];

	if (len == 0 || len >= sizeof(digits))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (s[len - 1] == units[i].unit) {
			mult = units[i].seconds;
			len--;
			break;  /* one unit: "1ms" is no duration */
		}
	memcpy(digits, s, len);
	digits[len] = '\0';
	if (len == 0 || strspn(digits, "0123456789") != len || parse_u64(digits, 10, &n) != 0 || n == 0 ||
	    n > UINT64_C(100) * 365 * 86400 / mult)
		return -1;
	*seconds = n * mult;
	return 0;
}
