/* crc32c.h: CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected), the checksum of every
 * on-disk structure of the storage layer.
 *
 * Layer: storage (includes nothing but the C library). Owns no state besides a constant table.
 * crc32c() uses the SSE4.2 crc32 instruction when the build targets it (x86-64-v2 does) and a
 * slicing-by-8 table otherwise; both give the same result, which the unit tests check.
 */
#ifndef EDDY_STORAGE_CRC32C_H
#define EDDY_STORAGE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 for a fresh checksum) over n bytes: crc32c(crc32c(0, a), b) equals the checksum
 * of a followed by b. crc32c(0, "123456789", 9) == 0xE3069283. */
uint32_t crc32c(uint32_t crc, const void *buf, size_t n);

/* The portable table implementation, exported so tests can compare it with the hardware one. */
uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t n);

/* 1 when crc32c() uses the SSE4.2 instruction. */
int crc32c_hw_enabled(void);

#endif
