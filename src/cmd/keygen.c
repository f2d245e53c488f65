/* chipaudit keygen: this host's Ed25519 key for signing reports. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/util.h"
#include "evidence/sign.h"
#include "evidence/state.h"

struct keygen_options {
	const char *state;
	bool force;
};

static const struct opt_row keygen_rows[] = {
	OPT_STRING("state", 's', "DIR", "the state directory ($CHIPAUDIT_STATE, else /var/lib/chipaudit)",
	  struct keygen_options, state),
	OPT_BOOL("force", 'f', "replace an existing key (reports signed from then on start a new chain)",
	  struct keygen_options, force),
	OPT_END,
};
static const struct opt_table keygen_table = { NULL, keygen_rows };

const struct cmd_spec keygen_spec = {
	.name = "keygen",
	.synopsis = "usage: chipaudit keygen [--state DIR] [--force]\n",
	.about = "  Make an Ed25519 host key with OpenSSL: DIR/host.key.pem (private, mode 0600)\n"
		 "  and DIR/host.pub.pem (public, for verifiers). `audit --sign` signs with it.\n",
	.trailer = "Exit: 0 made; 73 a key exists already, or the directory cannot be written.\n",
	.tables = { &keygen_table },
};

int cmd_keygen(int argc, char **argv)
{
	struct keygen_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	const char *dir;
	struct hostkey key;
	bool chosen;
	char err[1024], *priv, *pub;
	int rc = options_parse(&keygen_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n != 0)
		return options_usage_error(&keygen_spec, "unexpected argument '%s'", ops.v[0]);
	dir = state_dir(o.state, &chosen);
	if ((rc = hostkey_generate(dir, o.force, &key, err, sizeof(err))) != 0) {
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
