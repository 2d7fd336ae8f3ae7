/* syscat.c: users made by CREATE USER, kept as SCRAM-SHA-256 verifiers.
 *
 * Layer: engine. Runs CREATE / ALTER / DROP USER (bound and checked by plan/syscat.c, which also
 * builds the pg_catalog relations that list the users) and answers eddy_user_verifier for the
 * server's SCRAM authentication. A password is turned into its verifier here, with OpenSSL
 * (PBKDF2-HMAC-SHA-256, HMAC, SHA-256; DESIGN §8), and then forgotten: neither the catalog nor the
 * journal ever holds it. The journal records the statement rewritten with the verifier in place
 * of the password, which replays to the same user, as PostgreSQL accepts a verifier in PASSWORD.
 *
 *   verifier  "SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>"
 *             SaltedPassword = PBKDF2(password, salt, iterations), StoredKey = SHA-256(
 *             HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key")
 */
#include "engine/engine_int.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#define SCRAM_ITERATIONS 4096
#define SCRAM_SALT_LEN 16

static void b64(const unsigned char *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* Whether s is already a verifier (as pg_dump writes one, or as the journal replays it). */
static bool is_verifier(const char *s)
{
	unsigned iter;
	char salt[64], stored[64], server[64];
	return strncmp(s, "SCRAM-SHA-256$", 14) == 0 &&
	       sscanf(s + 14, "%u:%63[^$]$%63[^:]:%63s", &iter, salt, stored, server) == 4 &&
	       iter > 0;
}

static int make_verifier(const char *password, char *out, size_t cap, Err *e)
{
	unsigned char salt[SCRAM_SALT_LEN], salted[32], client_key[32], stored_key[32],
		server_key[32];
	unsigned int len = 32;
	if (RAND_bytes(salt, sizeof salt) != 1 ||
	    PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, sizeof salt,
			      SCRAM_ITERATIONS, EVP_sha256(), 32, salted) != 1 ||
	    !HMAC(EVP_sha256(), salted, 32, (const unsigned char *)"Client Key", 10, client_key,
		  &len) ||
	    !HMAC(EVP_sha256(), salted, 32, (const unsigned char *)"Server Key", 10, server_key,
		  &len))
		return err_set(e, ERR_INTERNAL, "could not compute the SCRAM verifier");
	SHA256(client_key, 32, stored_key);
	char s64[32], st64[48], sv64[48];
	b64(salt, sizeof salt, s64);
	b64(stored_key, 32, st64);
	b64(server_key, 32, sv64);
	snprintf(out, cap, "SCRAM-SHA-256$%d:%s$%s:%s", SCRAM_ITERATIONS, s64, st64, sv64);
	return 0;
}

/* The name as a quoted identifier, for the journal's text. */
static const char *quote_ident(Arena *a, const char *name)
{
	StrBuf sb;
	sb_init(&sb);
	sb_putc(&sb, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			sb_putc(&sb, '"');
		sb_putc(&sb, *p);
	}
	sb_putc(&sb, '"');
	const char *r = arena_strdup(a, sb.data);
	sb_deinit(&sb);
	return r;
}

int eng_exec_user(struct Eddy *db, BoundStmt *st, Arena *a, EddyResult **res, Err *e)
{
	char verifier[256];
	const char *v = NULL;
	if (st->password && is_verifier(st->password)) {
		v = st->password;
	} else if (st->password) {
		if (make_verifier(st->password, verifier, sizeof verifier, e) < 0)
			return -1;
		v = verifier;
	}
	CatUser *u = catalog_find_user(db->cat, st->name);
	const char *tag;
	switch (st->user_op) {
	case 'c':
		if (!catalog_create_user(db->cat, st->name, v, e))
			return -1;
		tag = "CREATE ROLE";
		break;
	case 'a':
		/* The bootstrap user has no entry until its password is first set. */
		if (!u && !catalog_create_user(db->cat, st->name, v, e))
			return -1;
		if (u)
			catalog_set_user_verifier(u, v);
		tag = "ALTER ROLE";
		break;
	default:
		catalog_drop_user(db->cat, st->name);
		tag = "DROP ROLE";
		break;
	}
	/* The journal gets the verifier in place of the password. */
	if (st->user_op != 'd')
		st->journal_sql = arena_printf(a, "%s USER %s PASSWORD %s%s%s",
					       st->user_op == 'c' ? "CREATE" : "ALTER",
					       quote_ident(a, st->name), v ? "'" : "",
					       v ? v : "NULL", v ? "'" : "");
	*res = result_new(0, NULL, NULL);
	result_set_tag(*res, "%s", tag);
	return 0;
}

int eddy_user_verifier(Eddy *db, const char *user, char *out, size_t cap)
{
	pthread_mutex_lock(&db->mu);
	const CatUser *u = catalog_find_user(db->cat, user);
	int rc = 0;
	if (u && u->verifier) {
		size_t n = strlen(u->verifier);
		rc = n < cap ? 1 : -1;
		if (rc == 1)
			memcpy(out, u->verifier, n + 1);
	}
	pthread_mutex_unlock(&db->mu);
	return rc;
}
