/* libFuzzer target for scim_validate_request and scim_schema_set_load:
 *   make fuzz builds and runs it (GNUmakefile), or by hand:
 *   mkdir -p build/fuzz && clang -std=c11 -D_GNU_SOURCE -g -O1 -I. \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *       tests/fuzz/fuzz_scim_schema.c keyd/scim/schema*.c \
 *       keyd/scim/normalize.c keyd/scim/filter.c keyd/scim/path.c \
 *       keyd/form.c keyd/utf8.c -ljansson -lsodium -o build/fuzz/fuzz_scim_schema
 *   build/fuzz/fuzz_scim_schema -max_total_time=60 -max_len=8192 \
 *       build/fuzz/corpus/scim_schema tests/fuzz/corpus/scim_schema
 * Input: one byte, then QUERY '\n' BODY (no '\n': no query). The byte's
 * low 3 bits pick the request; bit 3 validates against an upstream set
 * loaded once; bit 4 loads BODY as a /Schemas document instead and
 * validates a fixed User against the result. Invariants: an error has a
 * printable detail, the right status and no output; a success with a body
 * gives JSON that validates again to exactly itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/scim/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char	*method;
	const char	*path;
} reqs[8] = {
	{ "POST", "/scim/v2/hr/Users" },
	{ "PUT", "/scim/v2/hr/Users/2819c223" },
	{ "PATCH", "/scim/v2/hr/Users/2819c223" },
	{ "POST", "/scim/v2/hr/Groups" },
	{ "PATCH", "/scim/v2/hr/Groups/e9e30dba" },
	{ "POST", "/scim/v2/hr/Users/.search" },
	{ "POST", "/scim/v2/hr/Bulk" },
	{ "GET", "/scim/v2/hr/Users" },
};

static const char upstream[] =
    "[{\"id\":\"urn:ietf:params:scim:schemas:core:2.0:User\",\"attributes\":"
    "[{\"name\":\"pronouns\"},{\"name\":\"emails\",\"type\":\"complex\","
    "\"multiValued\":true,\"subAttributes\":[{\"name\":\"verified\","
    "\"type\":\"boolean\"}]}]},{\"id\":\"urn:acme:2.0:User\",\"attributes\":"
    "[{\"name\":\"badge\",\"required\":true},{\"name\":\"level\",\"type\":"
    "\"integer\"},{\"name\":\"tags\",\"multiValued\":true},{\"name\":"
    "\"site\",\"type\":\"complex\",\"subAttributes\":[{\"name\":\"code\","
    "\"required\":true}]}]}]";

static const char user[] = "{\"schemas\":[\"urn:ietf:params:scim:schemas:"
    "core:2.0:User\"],\"userName\":\"b\",\"emails\":[{\"value\":\"x\"}]}";

static struct scim_schema_set *loaded;

static void
check_error(enum scim_valid_err rc, const struct scim_valid_error *e,
    const char *out)
{
	size_t i;

	if (out != NULL || e->code != rc || e->status != scim_valid_status(rc) ||
	    memchr(e->detail, '\0', sizeof(e->detail)) == NULL ||
	    e->detail[0] == '\0')
		abort();
	for (i = 0; e->detail[i] != '\0'; i++)
		if (e->detail[i] < 0x20 || e->detail[i] > 0x7e)
			abort();
}

static void
validate(const struct scim_schema_set *set, int r, const char *query,
    const char *body, size_t len)
{
	struct scim_valid_error e, e2;
	struct scim_path p;
	char perr[256], *out = NULL, *again = NULL;
	size_t n = 0, n2 = 0;
	enum scim_valid_err rc;

	if (scim_path_parse(reqs[r].method, reqs[r].path, &p, perr,
	    sizeof(perr)) != SCIM_PATH_OK)
		abort();
	rc = scim_validate_request(set, reqs[r].method, &p, query,
	    "application/scim+json", body, len, 1u << 20, 50, &out, &n, &e);
	if (rc != SCIM_VALID_OK) {
		check_error(rc, &e, out);
		return;
	}
	if (out == NULL)
		return;
	if (strlen(out) != n)
		abort();
	if (scim_validate_request(set, reqs[r].method, &p, NULL,
	    "application/json", out, n, 1u << 20, 50, &again, &n2, &e2) !=
	    SCIM_VALID_OK || n2 != n || memcmp(out, again, n) != 0)
		abort();
	free(out);
	free(again);
}

static void
load_and_validate(const char *doc, size_t len)
{
	struct scim_schema_set *set = NULL;
	char err[SCIM_SCHEMA_ERR_MAX];

	if (scim_schema_set_load(doc, len, NULL, 0, &set, err,
	    sizeof(err)) == -1) {
		if (set != NULL || memchr(err, '\0', sizeof(err)) == NULL ||
		    err[0] == '\0')
			abort();
		return;
	}
	validate(set, 0, NULL, user, sizeof(user) - 1);
	scim_schema_set_free(&set);
	if (set != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[SCIM_SCHEMA_ERR_MAX], *query = NULL, *body;
	const uint8_t *nl;
	size_t blen;

	if (size < 1)
		return 0;
	if (loaded == NULL && scim_schema_set_load(upstream,
	    sizeof(upstream) - 1, NULL, 0, &loaded, err, sizeof(err)) == -1)
		abort();
	nl = memchr(data + 1, '\n', size - 1);
	if (nl != NULL && (query = strndup((const char *)data + 1,
	    (size_t)(nl - data - 1))) == NULL)
		return 0;
	blen = nl ? size - (size_t)(nl - data) - 1 : size - 1;
	/* Exactly BLEN bytes, so a read past the end trips ASan. */
	if ((body = malloc(blen ? blen : 1)) == NULL) {
		free(query);
		return 0;
	}
	memcpy(body, nl ? nl + 1 : data + 1, blen);
	if (data[0] & 0x10)
		load_and_validate(body, blen);
	else
		validate(data[0] & 0x8 ? loaded : NULL, data[0] & 7, query,
		    blen ? body : NULL, blen);
	free(body);
	free(query);
	return 0;
}
