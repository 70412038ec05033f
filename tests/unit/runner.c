/*
 * The one Check runner.  Suites are found by the build (see mk/unit.mk).
 * Check's own CK_RUN_SUITE / CK_RUN_CASE environment variables select a
 * subset: `make unit-tests SUITE=arena`.
 */
#include <check.h>
#include <stdlib.h>

#define RF_SUITE(fn) Suite *fn(void);
#include "suites.inc"
#undef RF_SUITE

int main(void)
{
    SRunner *runner = srunner_create(NULL);
#define RF_SUITE(fn) srunner_add_suite(runner, fn());
#include "suites.inc"
#undef RF_SUITE
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
