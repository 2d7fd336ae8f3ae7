/* crc32c.c: CRC32C with the SSE4.2 instruction and a slicing-by-8 table fallback (see crc32c.h).
 * Layer: storage. The table is built on first use (once, thread-safely through pthread_once) so no
 * global constructor is needed. */
#include "storage/crc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#define CRC_HW 1
#else
#define CRC_HW 0
#endif

#define POLY 0x82F63B78u /* 0x1EDC6F41 reflected */

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t n)
{
	pthread_once(&table_once, table_build);
	const uint8_t *p = buf;
	crc = ~crc;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8); /* little-endian host: the byte order the table expects */
		w ^= crc;
		crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
		      table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^
		      table[2][(w >> 40) & 0xff] ^ table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

#if CRC_HW
static uint32_t crc_hw(uint32_t crc, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	uint64_t c = (uint32_t)~crc;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		c = _mm_crc32_u64(c, w);
		p += 8;
		n -= 8;
	}
	uint32_t c32 = (uint32_t)c;
	while (n--)
		c32 = _mm_crc32_u8(c32, *p++);
	return ~c32;
}
#endif

uint32_t crc32c(uint32_t crc, const void *buf, size_t n)
{
#if CRC_HW
	return crc_hw(crc, buf, n);
#else
	return crc32c_sw(crc, buf, n);
#endif
}

int crc32c_hw_enabled(void)
{
	return CRC_HW;
}
