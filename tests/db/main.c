/*
 * The database suite's runner: every suite against the databases the
 * environment names (see fixture.h); the outage suite only with a cluster
 * to stop.  CK_RUN_SUITE / CK_RUN_CASE select a subset.
 */
#include <stdlib.h>

#include "fixture.h"

int main(void)
{
    SRunner *runner = srunner_create(make_db_core_suite());
    srunner_add_suite(runner, make_db_query_suite());
    srunner_add_suite(runner, make_db_postfetch_suite());
    srunner_add_suite(runner, make_db_concurrency_suite());
    srunner_add_suite(runner, make_db_manage_suite());
    srunner_add_suite(runner, make_db_groups_suite());
    if (fx_pg_cluster())
        srunner_add_suite(runner, make_db_outage_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
