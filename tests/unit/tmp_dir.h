/* tmp_dir.h: fresh temporary directories for unit tests (header-only, test code only).
 *
 * make_dir creates /tmp/eddy_test_XXXXXX and returns its path (heap); remove_dir deletes the
 * directory with everything in it and frees the path. Included after <cmocka.h>.
 */
#ifndef EDDY_TESTS_TMP_DIR_H
#define EDDY_TESTS_TMP_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *make_dir(void)
{
	char tmpl[] = "/tmp/eddy_test_XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static inline void remove_dir(char *dir)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

#endif
