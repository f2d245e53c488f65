/* chipaudit keygen: this host's Ed25519 key for signing reports. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/util.h"
#include "evidence/sign.h"
#include "evidence/state.h"

static const char usage[] =
	"usage: chipaudit keygen [--state DIR] [--force]\n"
	"  Make an Ed25519 host key with OpenSSL: DIR/host.key.pem (private, mode 0600)\n"
	"  and DIR/host.pub.pem (public, for verifiers). `audit --sign` signs with it.\n"
	"  --state DIR  the state directory ($CHIPAUDIT_STATE, else /var/lib/chipaudit)\n"
	"  --force      replace an existing key (reports signed from then on start a new chain)\n"
	"  Exit: 0 made; 73 a key exists already, or the directory cannot be written.\n";

int cmd_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *opt_state = NULL, *dir;
	struct hostkey key;
	bool force = false, chosen;
	char err[1024], *priv, *pub;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': opt_state = optarg; break;
		case 'f': force = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return usage_error(usage, "keygen: unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error(usage, "keygen: unexpected argument '%s'", argv[optind]);
	dir = state_dir(opt_state, &chosen);
	if ((rc = hostkey_generate(dir, force, &key, err, sizeof(err))) != 0) {
		error_msg("%s", err);
		return rc;
	}
	priv = state_path(dir, HOSTKEY_PRIVATE);
	pub = state_path(dir, HOSTKEY_PUBLIC);
	text_printf(stdout, "private key  %s (mode 0600)\npublic key   %s\nfingerprint  %s\n", priv, pub, key.fingerprint);
	free(priv);
	free(pub);
	hostkey_free(&key);
	return 0;
}
