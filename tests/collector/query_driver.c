/* chipaudit-collector query, alone: runs src/collector/query.c for the tests
 * until the collector's own command table takes it in. */
#include "collector/query.h"

int main(int argc, char **argv)
{
	return cmd_query(argc - 1, argv + 1);
}
