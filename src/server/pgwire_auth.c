/* pgwire_auth.c: SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it over SASL.
 *
 * Layer: server. The server side of the exchange, with OpenSSL doing every cryptographic step
 * (PBKDF2, HMAC, SHA-256, random nonces): security code is never hand-rolled (DESIGN §8). A user
 * made by CREATE USER is checked against the verifier the engine stores (its salt, iteration
 * count, StoredKey and ServerKey; the password is never known here); a user of the server's
 * settings by its password, with a fresh salt per login. Channel binding is not offered (no TLS
 * yet): a client asking for it ("p=") is refused.
 *
 *   client-first  gs2-header ("n,," or "y,,") then bare: "n=<user>,r=<client nonce>"
 *   server-first  "r=<client nonce><server nonce>,s=<base64 salt>,i=<iterations>"
 *   client-final  "c=<base64 gs2-header>,r=<nonce>,p=<base64 ClientProof>"
 *   server-final  "v=<base64 ServerSignature>"
 */
#include "server/pgwire.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#define SCRAM_ITERATIONS 4096

static void b64(const uint8_t *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

int pgscram_first(PgScram *s, const char *msg, size_t n, const char **why)
{
	char buf[512];
	if (n >= sizeof buf) {
		*why = "malformed SCRAM message (too long)";
		return -1;
	}
	memcpy(buf, msg, n);
	buf[n] = 0;
	if (buf[0] == 'p') {
		*why = "channel binding is not supported (no TLS)";
		return -1;
	}
	if ((buf[0] != 'n' && buf[0] != 'y') || buf[1] != ',') {
		*why = "malformed SCRAM message (unexpected GS2 header)";
		return -1;
	}
	const char *bare = strchr(buf + 2, ',');
	if (!bare) {
		*why = "malformed SCRAM message (missing bare message)";
		return -1;
	}
	bare++;
	snprintf(s->client_first_bare, sizeof s->client_first_bare, "%s", bare);
	const char *r = strstr(bare, "r=");
	if (strncmp(bare, "n=", 2) != 0 || !r) {
		*why = "malformed SCRAM message (missing nonce)";
		return -1;
	}
	r += 2;
	size_t rlen = strcspn(r, ",");
	uint8_t raw[18];
	if (rlen == 0 || rlen > 64 || RAND_bytes(raw, sizeof raw) != 1 ||
	    (!s->have_keys && RAND_bytes(s->salt, sizeof s->salt) != 1)) {
		*why = "malformed SCRAM message (bad nonce)";
		return -1;
	}
	char snonce[32], salt[32];
	b64(raw, sizeof raw, snonce);
	b64(s->salt, sizeof s->salt, salt);
	snprintf(s->nonce, sizeof s->nonce, "%.*s%s", (int)rlen, r, snonce);
	if (!s->have_keys)
		s->iterations = SCRAM_ITERATIONS;
	snprintf(s->server_first, sizeof s->server_first, "r=%s,s=%s,i=%d", s->nonce, salt,
		 s->iterations);
	return 0;
}

static void hmac(const uint8_t *key, size_t klen, const void *msg, size_t n, uint8_t *out)
{
	unsigned int len = 32;
	HMAC(EVP_sha256(), key, (int)klen, msg, n, out, &len);
}

int pgscram_final(PgScram *s, const char *msg, size_t n, char *server_final, size_t cap,
		  const char **why)
{
	char buf[512];
	if (n >= sizeof buf) {
		*why = "malformed SCRAM message (too long)";
		return -1;
	}
	memcpy(buf, msg, n);
	buf[n] = 0;
	const char *p = strstr(buf, ",p=");
	if (strncmp(buf, "c=", 2) != 0 || !p) {
		*why = "malformed SCRAM message (missing proof)";
		return -1;
	}
	char nonce_attr[160];
	snprintf(nonce_attr, sizeof nonce_attr, ",r=%s,", s->nonce);
	char without_proof[512];
	snprintf(without_proof, sizeof without_proof, "%.*s", (int)(p - buf), buf);
	strcat(without_proof, ",");
	if (!strstr(without_proof, nonce_attr)) {
		*why = "malformed SCRAM message (nonce mismatch)";
		return -1;
	}
	without_proof[strlen(without_proof) - 1] = 0;
	uint8_t proof[64];
	const char *p64 = p + 3;
	int plen = EVP_DecodeBlock(proof, (const unsigned char *)p64, (int)strlen(p64));
	/* EVP_DecodeBlock counts the padding bytes as data. */
	if (plen >= 1 && p64[strlen(p64) - 1] == '=')
		plen--;
	if (plen >= 1 && strlen(p64) >= 2 && p64[strlen(p64) - 2] == '=')
		plen--;
	if (plen != 32) {
		*why = "malformed SCRAM message (invalid proof)";
		return -1;
	}
	uint8_t salted[32], client_key[32], stored_key[32], server_key[32], sig[32], check[32];
	if (s->have_keys) {
		memcpy(stored_key, s->stored_key, 32);
		memcpy(server_key, s->server_key, 32);
	} else {
		PKCS5_PBKDF2_HMAC(s->password, (int)strlen(s->password), s->salt, sizeof s->salt,
				  s->iterations, EVP_sha256(), 32, salted);
		hmac(salted, 32, "Client Key", 10, client_key);
		SHA256(client_key, 32, stored_key);
		hmac(salted, 32, "Server Key", 10, server_key);
	}
	char auth[1600];
	int alen = snprintf(auth, sizeof auth, "%s,%s,%s", s->client_first_bare, s->server_first,
			    without_proof);
	hmac(stored_key, 32, auth, (size_t)alen, sig);
	uint8_t recovered[32];
	for (int i = 0; i < 32; i++)
		recovered[i] = proof[i] ^ sig[i];
	SHA256(recovered, 32, check);
	if (CRYPTO_memcmp(check, stored_key, 32) != 0)
		return 0;
	hmac(server_key, 32, auth, (size_t)alen, sig);
	char sig64[64];
	b64(sig, 32, sig64);
	snprintf(server_final, cap, "v=%s", sig64);
	return 1;
}

/* Decodes base64 text into exactly n bytes; -1 otherwise. */
static int unb64(const char *in, size_t len, uint8_t *out, int n)
{
	uint8_t buf[96];
	if (len == 0 || len % 4 || len / 4 * 3 > sizeof buf)
		return -1;
	int got = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)len);
	/* EVP_DecodeBlock counts the padding bytes as data. */
	got -= (in[len - 1] == '=') + (in[len - 2] == '=');
	if (got != n)
		return -1;
	memcpy(out, buf, (size_t)n);
	return 0;
}

int pgscram_set_verifier(PgScram *s, const char *v)
{
	int iter;
	char salt[64], stored[64], server[64];
	if (strncmp(v, "SCRAM-SHA-256$", 14) != 0 ||
	    sscanf(v + 14, "%d:%63[^$]$%63[^:]:%63s", &iter, salt, stored, server) != 4 ||
	    iter <= 0 || unb64(salt, strlen(salt), s->salt, sizeof s->salt) < 0 ||
	    unb64(stored, strlen(stored), s->stored_key, 32) < 0 ||
	    unb64(server, strlen(server), s->server_key, 32) < 0)
		return -1;
	s->iterations = iter;
	s->have_keys = true;
	return 0;
}
