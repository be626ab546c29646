/* The command table and the views of each op's result. Labels of field
 * lines are keyd's member names, so `keyctl X` and `keyctl --json X` use
 * the same words. Secrets appear in exactly three views: the *_new ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "client/cmd.h"
#include "client/output.h"

#define SYNOPSIS_MAX	256
#define LIST_SYN_WIDTH	52	/* columns of synopsis in --help */

#define POS(meta, key)		{ (meta), (key), 0, CMD_ARG_STRING }
#define POS_OPT(meta, key)	{ (meta), (key), 1, CMD_ARG_STRING }
#define POS_FILE(meta, key)	{ (meta), (key), 0, CMD_ARG_FILE }
#define OPT(name, meta)		{ (name), (meta), 0, CMD_ARG_STRING, NULL }
#define OPT_REQ(name, meta)	{ (name), (meta), 1, CMD_ARG_STRING, NULL }
#define OPT_INT(name, meta)	{ (name), (meta), 0, CMD_ARG_INT, NULL }
#define OPT_FLAG(name)		{ (name), NULL, 0, CMD_ARG_FLAG, NULL }
#define OPT_FILE(name, meta)	{ (name), (meta), 0, CMD_ARG_FILE, NULL }
/* --NAME FILE sends the file's contents as the args member KEY. */
#define OPT_FILE_AS(name, meta, key) { (name), (meta), 0, CMD_ARG_FILE, (key) }
#define NO_POS			{ NULL, NULL, 0, CMD_ARG_STRING }
#define NO_OPT			{ NULL, NULL, 0, CMD_ARG_STRING, NULL }
#define END			{ NULL, NULL, OUTPUT_TEXT }

static const struct output_field status_f[] = {
	{ "version", "version", OUTPUT_TEXT },
	{ "pid", "pid", OUTPUT_TEXT },
	{ "uptime", "uptime", OUTPUT_TEXT },
	{ "listen", "listen", OUTPUT_TEXT },
	{ "tls", "tls", OUTPUT_TEXT },
	{ "store_schema", "store_schema", OUTPUT_TEXT },
	{ "dek_version", "dek_version", OUTPUT_TEXT },
	{ "policy_version", "policy_version", OUTPUT_TEXT },
	{ "clients", "clients", OUTPUT_TEXT },
	{ "roles", "roles", OUTPUT_TEXT },
	{ "audit", "audit", OUTPUT_TEXT },
	{ "audit_seq", "audit_seq", OUTPUT_TEXT },
	{ "audit_checkpoint", "audit_checkpoint", OUTPUT_TEXT },
	END
};

static const struct output_field key_new_f[] = {
	{ "client", "client", OUTPUT_TEXT },
	{ "key_id", "key_id", OUTPUT_TEXT },
	{ "key", "key", OUTPUT_SECRET },
	END
};

static const struct output_field client_cols[] = {
	{ "name", "NAME", OUTPUT_TEXT },
	{ "role", "ROLE", OUTPUT_TEXT },
	{ "state", "STATE", OUTPUT_TEXT },
	{ "keys", "KEYS", OUTPUT_TEXT },
	{ "tokens", "TOKENS", OUTPUT_TEXT },
	{ "created_at", "CREATED", OUTPUT_TIME },
	END
};

static const struct output_field client_show_f[] = {
	{ "client.name", "name", OUTPUT_TEXT },
	{ "client.role", "role", OUTPUT_TEXT },
	{ "client.state", "state", OUTPUT_TEXT },
	{ "client.epoch", "epoch", OUTPUT_TEXT },
	{ "client.created_at", "created_at", OUTPUT_TIME },
	{ "client.keys", "keys", OUTPUT_TEXT },
	{ "client.tokens", "tokens", OUTPUT_TEXT },
	{ "scopes", "scopes", OUTPUT_TEXT },
	END
};

static const struct output_field client_state_f[] = {
	{ "client", "client", OUTPUT_TEXT },
	{ "state", "state", OUTPUT_TEXT },
	END
};

static const struct output_field client_revoke_all_f[] = {
	{ "client", "client", OUTPUT_TEXT },
	{ "epoch", "epoch", OUTPUT_TEXT },
	{ "key_epoch", "key_epoch", OUTPUT_TEXT },
	END
};

static const struct output_field key_cols[] = {
	{ "key_id", "KEY_ID", OUTPUT_TEXT },
	{ "state", "STATE", OUTPUT_TEXT },
	{ "created_at", "CREATED", OUTPUT_TIME },
	{ "expires_at", "EXPIRES", OUTPUT_TIME },
	END
};

static const struct output_field key_revoke_f[] = {
	{ "key_id", "key_id", OUTPUT_TEXT },
	{ "client", "client", OUTPUT_TEXT },
	{ "state", "state", OUTPUT_TEXT },
	{ "tokens_revoked", "tokens_revoked", OUTPUT_TEXT },
	END
};

static const struct output_field token_new_f[] = {
	{ "client", "client", OUTPUT_TEXT },
	{ "token_id", "token_id", OUTPUT_TEXT },
	{ "token_type", "token_type", OUTPUT_TEXT },
	{ "scope", "scope", OUTPUT_TEXT },
	{ "expires_in", "expires_in", OUTPUT_TEXT },
	{ "access_token", "access_token", OUTPUT_SECRET },
	END
};

static const struct output_field token_cols[] = {
	{ "token_id", "TOKEN_ID", OUTPUT_TEXT },
	{ "client", "CLIENT", OUTPUT_TEXT },
	{ "key_id", "KEY_ID", OUTPUT_TEXT },
	{ "scope", "SCOPE", OUTPUT_TEXT },
	{ "state", "STATE", OUTPUT_TEXT },
	{ "issued_at", "ISSUED", OUTPUT_TIME },
	{ "expires_at", "EXPIRES", OUTPUT_TIME },
	END
};

static const struct output_field token_revoke_f[] = {
	{ "token_id", "token_id", OUTPUT_TEXT },
	{ "state", "state", OUTPUT_TEXT },
	END
};

static const struct output_field token_revoke_all_f[] = {
	{ "client", "client", OUTPUT_TEXT },
	{ "epoch", "epoch", OUTPUT_TEXT },
	END
};

static const struct output_field admintoken_new_f[] = {
	{ "name", "name", OUTPUT_TEXT },
	{ "token_id", "token_id", OUTPUT_TEXT },
	{ "token", "token", OUTPUT_SECRET },
	END
};

static const struct output_field admintoken_cols[] = {
	{ "token_id", "TOKEN_ID", OUTPUT_TEXT },
	{ "name", "NAME", OUTPUT_TEXT },
	{ "state", "STATE", OUTPUT_TEXT },
	{ "created_at", "CREATED", OUTPUT_TIME },
	END
};

static const struct output_field policy_applied_f[] = {
	{ "version", "version", OUTPUT_TEXT },
	{ "digest", "digest", OUTPUT_TEXT },
	{ "roles", "roles", OUTPUT_TEXT },
	END
};

static const struct output_field policy_show_f[] = {
	{ "version", "version", OUTPUT_TEXT },
	{ "active", "active", OUTPUT_TEXT },
	{ "created_at", "created", OUTPUT_TIME },
	{ "digest", "digest", OUTPUT_TEXT },
	{ "document", "document", OUTPUT_DOC },
	END
};

static const struct output_field policy_cols[] = {
	{ "version", "VERSION", OUTPUT_TEXT },
	{ "active", "ACTIVE", OUTPUT_TEXT },
	{ "created_at", "CREATED", OUTPUT_TIME },
	{ "size", "SIZE", OUTPUT_TEXT },
	{ "digest", "DIGEST", OUTPUT_TEXT },
	END
};

static const struct output_view v_status = { status_f, NULL, NULL };
static const struct output_field policy_test_f[] = {
	{ "decision", "decision", OUTPUT_TEXT },
	{ "rule", "rule", OUTPUT_TEXT },
	{ "reason", "reason", OUTPUT_TEXT },
	{ "status", "status", OUTPUT_TEXT },
	{ "role", "role", OUTPUT_TEXT },
	{ "request.operation", "operation", OUTPUT_TEXT },
	{ "request.resource_type", "resource_type", OUTPUT_TEXT },
	{ "request.id", "id", OUTPUT_TEXT },
	{ "bulk_index", "bulk_index", OUTPUT_TEXT },
	END
};

static const struct output_view v_policy_test = { policy_test_f, NULL,
    NULL };
static const struct output_view v_policy_applied = { policy_applied_f, NULL,
    NULL };
static const struct output_view v_policy_show = { policy_show_f, NULL, NULL };
static const struct output_view v_policy_history = { NULL, "policies",
    policy_cols };
static const struct output_view v_key_new = { key_new_f, NULL, NULL };
static const struct output_view v_client_list = { NULL, "clients",
    client_cols };
static const struct output_view v_client_show = { client_show_f, "keys",
    key_cols };
static const struct output_view v_client_state = { client_state_f, NULL,
    NULL };
static const struct output_view v_client_revoke_all = {
    client_revoke_all_f, NULL, NULL };
static const struct output_view v_key_list = { NULL, "keys", key_cols };
static const struct output_view v_key_revoke = { key_revoke_f, NULL, NULL };
static const struct output_view v_token_new = { token_new_f, NULL, NULL };
static const struct output_view v_token_list = { NULL, "tokens",
    token_cols };
static const struct output_view v_token_revoke = { token_revoke_f, NULL,
    NULL };
static const struct output_view v_token_revoke_all = { token_revoke_all_f,
    NULL, NULL };
static const struct output_view v_admintoken_new = { admintoken_new_f, NULL,
    NULL };
static const struct output_view v_admintoken_list = { NULL, "admin_tokens",
    admintoken_cols };

static const struct output_field upstream_f[] = {
	{ "name", "name", OUTPUT_TEXT },
	{ "url", "url", OUTPUT_TEXT },
	{ "auth", "auth", OUTPUT_TEXT },
	{ "ca", "ca", OUTPUT_TEXT },
	{ "pin", "pin", OUTPUT_TEXT },
	{ "timeout", "timeout", OUTPUT_TEXT },
	{ "client_cert_subject", "client_cert_subject", OUTPUT_TEXT },
	{ "client_cert_expires_at", "client_cert_expires", OUTPUT_TIME },
	{ "credential_version", "credential_version", OUTPUT_TEXT },
	{ "created_at", "created", OUTPUT_TIME },
	{ "updated_at", "updated", OUTPUT_TIME },
	END
};

static const struct output_field upstream_cols[] = {
	{ "name", "NAME", OUTPUT_TEXT },
	{ "url", "URL", OUTPUT_TEXT },
	{ "auth", "AUTH", OUTPUT_TEXT },
	{ "ca", "CA", OUTPUT_TEXT },
	{ "pin", "PIN", OUTPUT_TEXT },
	{ "timeout", "TIMEOUT", OUTPUT_TEXT },
	{ "created_at", "CREATED", OUTPUT_TIME },
	END
};

static const struct output_field upstream_removed_f[] = {
	{ "upstream", "upstream", OUTPUT_TEXT },
	{ "state", "state", OUTPUT_TEXT },
	END
};

static const struct output_field upstream_test_f[] = {
	{ "upstream", "upstream", OUTPUT_TEXT },
	{ "url", "url", OUTPUT_TEXT },
	{ "status", "status", OUTPUT_TEXT },
	{ "latency_ms", "latency_ms", OUTPUT_TEXT },
	{ "ok", "ok", OUTPUT_TEXT },
	{ "scim", "scim", OUTPUT_TEXT },
	END
};

static const struct output_view v_upstream = { upstream_f, NULL, NULL };
static const struct output_view v_upstream_list = { NULL, "upstreams",
    upstream_cols };
static const struct output_view v_upstream_removed = { upstream_removed_f,
    NULL, NULL };
static const struct output_view v_upstream_test = { upstream_test_f, NULL,
    NULL };

/* Audit records: the time column is filled in by auditc.c from time_us. */
static const struct output_field audit_cols[] = {
	{ "seq", "SEQ", OUTPUT_TEXT },
	{ "time", "TIME", OUTPUT_TEXT },
	{ "event", "EVENT", OUTPUT_TEXT },
	{ "client", "CLIENT", OUTPUT_TEXT },
	{ "token_id", "TOKEN_ID", OUTPUT_TEXT },
	{ "method", "METHOD", OUTPUT_TEXT },
	{ "path", "PATH", OUTPUT_TEXT },
	{ "resource_id", "RESOURCE", OUTPUT_TEXT },
	{ "decision", "DECISION", OUTPUT_TEXT },
	{ "status", "STATUS", OUTPUT_TEXT },
	{ "reason", "REASON", OUTPUT_TEXT },
	END
};

static const struct output_field audit_verify_f[] = {
	{ "valid", "valid", OUTPUT_TEXT },
	{ "records", "records", OUTPUT_TEXT },
	{ "checkpoints", "checkpoints", OUTPUT_TEXT },
	{ "first_seq", "first_seq", OUTPUT_TEXT },
	{ "last_seq", "last_seq", OUTPUT_TEXT },
	{ "last_checkpoint", "last_checkpoint", OUTPUT_TEXT },
	{ "head_seq", "head_seq", OUTPUT_TEXT },
	{ "bad_seq", "bad_seq", OUTPUT_TEXT },
	{ "error", "error", OUTPUT_TEXT },
	END
};

static const struct output_field audit_pubkey_f[] = {
	{ "public_key", "public_key", OUTPUT_TEXT },
	{ "algorithm", "algorithm", OUTPUT_TEXT },
	END
};

static const struct output_view v_audit_records = { NULL, "records",
    audit_cols };
static const struct output_view v_audit_verify = { audit_verify_f, NULL,
    NULL };
static const struct output_view v_audit_pubkey = { audit_pubkey_f, NULL,
    NULL };

/* noun, verb, op, positionals, options, view, help */
static const struct cmd cmd_table[] = {
	{ "status", NULL, "status", { NO_POS }, { NO_OPT },
	  &v_status, "show keyd's version, uptime and counts" },
	{ "client", "create", "client.create", { POS("NAME", "name") },
	  { OPT_REQ("role", "ROLE") },
	  &v_key_new, "create a client; shows its first key once" },
	{ "client", "list", "client.list", { NO_POS }, { NO_OPT },
	  &v_client_list, "list clients" },
	{ "client", "show", "client.show", { POS("NAME", "name") }, { NO_OPT },
	  &v_client_show, "show a client, its keys and scopes" },
	{ "client", "disable", "client.disable", { POS("NAME", "name") },
	  { NO_OPT }, &v_client_state, "disable a client" },
	{ "client", "enable", "client.enable", { POS("NAME", "name") },
	  { NO_OPT }, &v_client_state, "enable a disabled client" },
	{ "client", "revoke-all", "client.revoke-all", { POS("NAME", "name") },
	  { NO_OPT }, &v_client_revoke_all,
	  "kill every key and token of a client at once" },
	{ "key", "list", "key.list", { POS("NAME", "client") }, { NO_OPT },
	  &v_key_list, "list a client's provisioning keys" },
	{ "key", "create", "key.create", { POS("NAME", "client") }, { NO_OPT },
	  &v_key_new, "add a provisioning key; shows it once" },
	{ "key", "revoke", "key.revoke", { POS("KEY_ID", "key_id") },
	  { NO_OPT }, &v_key_revoke, "revoke a key and the tokens it issued" },
	{ "token", "issue", "token.issue", { POS("NAME", "client") },
	  { OPT("ttl", "DURATION"), OPT("scope", "SCOPES") },
	  &v_token_new, "issue an access token; shows it once" },
	{ "token", "list", "token.list", { POS_OPT("NAME", "client") },
	  { NO_OPT }, &v_token_list, "list access tokens" },
	{ "token", "revoke", "token.revoke", { POS("TOKEN_ID", "token_id") },
	  { NO_OPT }, &v_token_revoke, "revoke one access token" },
	{ "token", "revoke-all", "token.revoke-all", { POS("NAME", "client") },
	  { NO_OPT }, &v_token_revoke_all,
	  "kill every access token of a client; keys stay" },
	{ "admin-token", "create", "admintoken.create", { POS("NAME", "name") },
	  { NO_OPT }, &v_admintoken_new, "create an admin token; shows it once" },
	{ "admin-token", "list", "admintoken.list", { NO_POS }, { NO_OPT },
	  &v_admintoken_list, "list admin tokens" },
	{ "admin-token", "revoke", "admintoken.revoke",
	  { POS("TOKEN_ID", "token_id") }, { NO_OPT },
	  &v_token_revoke, "revoke an admin token" },
	{ "policy", "apply", "policy.apply", { POS_FILE("FILE", "document") },
	  { NO_OPT }, &v_policy_applied,
	  "validate a policy document and make it the active version" },
	{ "policy", "show", "policy.show", { NO_POS },
	  { OPT_INT("version", "N") }, &v_policy_show,
	  "show the active policy, or version N" },
	{ "policy", "history", "policy.history", { NO_POS }, { NO_OPT },
	  &v_policy_history, "list every policy version" },
	{ "policy", "test", "policy.test", { NO_POS },
	  { OPT("client", "NAME"), OPT("role", "ROLE"),
	    OPT_REQ("method", "M"), OPT_REQ("path", "P"),
	    OPT_FILE("body", "FILE"), OPT("scope", "SCOPES") },
	  &v_policy_test, "decide a SCIM request without sending it" },
	{ "upstream", "add", "upstream.add", { POS("NAME", "name") },
	  { OPT_REQ("url", "URL"), OPT_FILE_AS("bearer-file", "FILE", "bearer"),
	    OPT_FILE_AS("client-cert", "FILE", "client_cert"),
	    OPT_FILE_AS("client-key", "FILE", "client_key"),
	    OPT_FILE_AS("ca", "FILE", "ca"), OPT("pin", "PIN"),
	    OPT("timeout", "DURATION") },
	  &v_upstream, "register a SCIM service; its credential is read from "
	  "a file and sealed" },
	{ "upstream", "list", "upstream.list", { NO_POS }, { NO_OPT },
	  &v_upstream_list, "list upstreams" },
	{ "upstream", "show", "upstream.show", { POS("NAME", "name") },
	  { NO_OPT }, &v_upstream, "show an upstream (never its credential)" },
	{ "upstream", "remove", "upstream.remove", { POS("NAME", "name") },
	  { NO_OPT }, &v_upstream_removed, "remove an upstream and its "
	  "credential" },
	{ "upstream", "test", "upstream.test", { POS("NAME", "name") },
	  { NO_OPT }, &v_upstream_test,
	  "GET its ServiceProviderConfig with the stored credential" },
	{ "audit", "verify", "audit.verify", { NO_POS },
	  { OPT_INT("from", "SEQ"), OPT("file", "FILE"), OPT("pubkey", "KEY") },
	  &v_audit_verify, "check the audit chain and its signatures; with "
	  "--file, an export, offline" },
	{ "audit", "tail", "audit.tail", { NO_POS },
	  { OPT_INT("n", "N"), OPT_FLAG("follow") },
	  &v_audit_records, "show the newest audit records; --follow waits "
	  "for more" },
	{ "audit", "query", "audit.query", { NO_POS },
	  { OPT("client", "NAME"), OPT("since", "TIME"), OPT("until", "TIME"),
	    OPT("decision", "DECISION"), OPT("event", "EVENT") },
	  &v_audit_records, "find audit records by client, time, decision" },
	{ "audit", "export", "audit.export", { NO_POS },
	  { OPT("since", "TIME") }, &v_audit_records,
	  "write records and checkpoints as JSON lines, signed to the end" },
	{ "audit", "pubkey", "audit.pubkey", { NO_POS }, { NO_OPT },
	  &v_audit_pubkey, "print the key that verifies audit checkpoints" },
};

#define CMD_COUNT	(sizeof(cmd_table) / sizeof(cmd_table[0]))

static int
cmd_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

const struct cmd *
cmd_find(const char *noun, const char *verb)
{
	size_t	i;

	for (i = 0; i < CMD_COUNT; i++)
		if (cmd_same(cmd_table[i].noun, noun) &&
		    cmd_same(cmd_table[i].verb, verb))
			return &cmd_table[i];
	return NULL;
}

int
cmd_noun_kind(const char *noun)
{
	size_t	i;

	for (i = 0; i < CMD_COUNT; i++)
		if (strcmp(cmd_table[i].noun, noun) == 0)
			return cmd_table[i].verb != NULL;
	return -1;
}

int
cmd_opt_index(const struct cmd *c, const char *name, size_t len)
{
	int	i;

	for (i = 0; i < CMD_MAX_OPTS && c->opts[i].name != NULL; i++)
		if (strlen(c->opts[i].name) == len &&
		    memcmp(c->opts[i].name, name, len) == 0)
			return i;
	return -1;
}

/* Append to BUF at *OFF; once BUF is full, later appends do nothing. */
static void
cmd_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
cmd_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (*off + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*off += (size_t)n;
	if (*off >= len)
		*off = len - 1;
}

void
cmd_synopsis(const struct cmd *c, char *buf, size_t len)
{
	size_t	i, off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	cmd_append(buf, len, &off, "%s", c->noun);
	if (c->verb != NULL)
		cmd_append(buf, len, &off, " %s", c->verb);
	for (i = 0; i < CMD_MAX_POS && c->pos[i].meta != NULL; i++)
		cmd_append(buf, len, &off, c->pos[i].optional ? " [%s]" :
		    " %s", c->pos[i].meta);
	for (i = 0; i < CMD_MAX_OPTS && c->opts[i].name != NULL; i++) {
		if (c->opts[i].kind == CMD_ARG_FLAG) {
			cmd_append(buf, len, &off, " [--%s]", c->opts[i].name);
			continue;
		}
		/* a one-letter option is spelled with one dash: -n N */
		cmd_append(buf, len, &off, c->opts[i].required ?
		    " %s%s %s" : " [%s%s %s]", c->opts[i].name[1] == '\0' ?
		    "-" : "--", c->opts[i].name, c->opts[i].meta);
	}
}

void
cmd_verbs(const char *noun, char *buf, size_t len)
{
	size_t	i, off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < CMD_COUNT; i++)
		if (strcmp(cmd_table[i].noun, noun) == 0 &&
		    cmd_table[i].verb != NULL)
			cmd_append(buf, len, &off, "%s%s", off > 0 ? " " : "",
			    cmd_table[i].verb);
}

void
cmd_list(FILE *fp)
{
	char	syn[SYNOPSIS_MAX];
	size_t	i, w = 0;

	/* Help lines line up after the synopses that fit in LIST_SYN_WIDTH;
	 * a longer one has its help on the next line. */
	for (i = 0; i < CMD_COUNT; i++) {
		cmd_synopsis(&cmd_table[i], syn, sizeof(syn));
		if (strlen(syn) > w && strlen(syn) <= LIST_SYN_WIDTH)
			w = strlen(syn);
	}
	for (i = 0; i < CMD_COUNT; i++) {
		cmd_synopsis(&cmd_table[i], syn, sizeof(syn));
		if (strlen(syn) > w)
			fprintf(fp, "  %s\n  %-*s  %s\n", syn, (int)w, "",
			    cmd_table[i].help);
		else
			fprintf(fp, "  %-*s  %s\n", (int)w, syn,
			    cmd_table[i].help);
	}
}
