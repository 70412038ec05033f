"""Self-tests of the benchmark harness: the data it seeds, how it compares
answers, how it reports, and the spec generator.  Standard library only;
run by `make bench-selftest` (part of `make test`).  No timing is measured
or asserted here."""
import datetime
import os
import subprocess
import sys
import unittest

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH)

from harness import data, load, pg, report, verify  # noqa: E402

RFLOWC = os.path.join(os.path.dirname(BENCH), "build", "rflowc")


class DataTest(unittest.TestCase):
    def test_every_ordering_the_scenarios_use_is_total(self):
        products = list(data.product_rows())
        self.assertEqual(len(products), data.PRODUCTS)
        self.assertEqual(len({p[3] for p in products}), data.PRODUCTS)   # prices
        created = [p[5] for p in products]
        self.assertEqual(created, sorted(created))
        self.assertEqual(len(set(created)), data.PRODUCTS)
        latest = {}
        for rid, rating, comment, stamp, pid in data.review_rows():
            self.assertNotIn((pid, stamp), latest)
            latest[(pid, stamp)] = rid

    def test_retrieve_object_is_a_top_product_with_reviews_and_an_owner(self):
        row = next(p for p in data.product_rows() if p[0] == data.RETRIEVE_ID)
        self.assertTrue(row[4])
        self.assertIsNotNone(row[7])
        self.assertTrue(any(r[4] == data.RETRIEVE_ID for r in data.review_rows()))

    def test_prices_have_two_places_and_are_never_zero(self):
        self.assertEqual(data.product_price(1), "79.19")
        for pid in (1, 4996, 10000):
            whole, places = data.product_price(pid).split(".")
            self.assertEqual(len(places), 2)
            self.assertNotEqual(data.product_price(pid), "0.00")

    def test_django_drops_a_zero_fraction_of_a_second(self):
        self.assertEqual(data.django_timestamp(datetime.datetime(2026, 1, 1, 0, 0, 1)),
                         "2026-01-01 00:00:01")
        self.assertEqual(data.django_timestamp(datetime.datetime(2026, 1, 1, 0, 0, 1, 5)),
                         "2026-01-01 00:00:01.000005")

    def test_tokens_are_fixed_and_look_like_drf_keys(self):
        self.assertEqual(data.bench_token(), data.token_key("bench"))
        self.assertRegex(data.bench_token(), r"^[0-9a-f]{40}$")
        self.assertEqual(len({data.token_key(u) for u in data.usernames()}), data.USERS)


class VerifyTest(unittest.TestCase):
    def test_links_lose_their_host_and_creates_their_id_and_time(self):
        body = '{"count":1,"next":"http://127.0.0.1:5000/api/products/?page=2"}'
        self.assertEqual(verify.normalise("GET", body, "127.0.0.1:5000"),
                         '{"count":1,"next":"http://HOST/api/products/?page=2"}')
        created = '{"id":10001,"name":"a","created_at":"2026-11-29T13:02:28.129905Z"}'
        self.assertEqual(verify.normalise("POST", created, "h"),
                         '{"id":ID,"name":"a","created_at":"NOW"}')

    def test_a_static_server_is_checked_on_its_own_scenarios_only(self):
        self.assertEqual([n for n, _ in verify.checks_for(("ping", "retrieve"))],
                         ["ping", "retrieve"])
        self.assertEqual(verify.checks_for(("ping", "retrieve", "list", "create")),
                         verify.CHECKS)

    def test_every_scenario_request_is_a_check(self):
        names = {n for n, _ in verify.CHECKS}
        for scenario in load.SCENARIOS:
            self.assertIn(scenario.name, names)
            method, path, _, _ = dict(verify.CHECKS)[scenario.name]
            self.assertEqual((method, path), (scenario.method, scenario.path))

    def test_differences_name_the_check_and_show_where(self):
        ref = {"a": (200, None, '{"x":1}'), "b": (200, None, "same")}
        got = {"a": (200, None, '{"x":2}'), "b": (200, None, "same")}
        self.assertEqual(verify.differences(ref, got, ["a", "b"]),
                         ['a: body differs at byte 5: DRF ...{"x":1}... here ...{"x":2}...'])
        got["b"] = (404, None, "same")
        self.assertEqual(verify.differences(ref, got, ["b"]),
                         ["b: status/WWW-Authenticate (404, None), DRF (200, None)"])


def measurement(rps, cpu_us=100.0, errors=0, client_cpu=0.5, rss_mib=10):
    return load.Measurement(rps=rps, p50_ms=1.0, p99_ms=4.0, cpu_us_per_request=cpu_us,
                            requests=int(rps * 10), errors=errors, server_cpu=0.9,
                            client_cpu=client_cpu, peak_rss_kib=rss_mib * 1024,
                            peak_pss_kib=rss_mib * 1024)


class Args:
    rounds, duration, warmup, conns, idle = 1, 10, 3, [32], 500
    scenarios = [load.BY_NAME["retrieve"], load.BY_NAME["list"]]

    def __init__(self, systems):
        self.systems = systems


class ReportTest(unittest.TestCase):
    def summary(self, results, unavailable=None, timings=None):
        from harness import systems
        args = Args([systems.BY_NAME[n] for n in ("drf", "nginx", "restflow")])
        memory = {name: [{"idle_held": 500, "idle_kib": 2.0}] for name in results}
        machine = {"cpu": "test CPU, 2 cores", "memory_gib": 24, "kernel": "6",
                   "load_average": "0.1 before the run, 0.2 after it", "pinning": "none",
                   "versions": {"wrk": "4"}}
        return report.summarise(args, results, memory, {}, unavailable or {}, timings,
                                machine, datetime.datetime(2026, 11, 29))

    def test_pending_ratios_and_targets_while_restflow_is_not_built(self):
        results = {"drf": {"retrieve": {32: [measurement(100)]}, "list": {32: [measurement(50)]}},
                   "nginx": {"retrieve": {32: [measurement(20000, errors=3, client_cpu=0.95)]}}}
        text = report.markdown(self.summary(results, {"restflow": "not built: no rflowc"}))
        self.assertIn("| retrieve | 32 | 100 | 20,000†‡ | not built |", text)
        self.assertIn("| list | 32 | 50 | — | not built |", text)
        self.assertIn("Pending: restflow was not measured in this run "
                      "(restflow: not built: no rflowc).", text)
        self.assertIn("- Pending until restflow is measured.", text)

    def test_ratios_and_targets_once_restflow_is_measured(self):
        results = {"drf": {"retrieve": {32: [measurement(100)]}, "list": {32: [measurement(50)]}},
                   "nginx": {"retrieve": {32: [measurement(20000)]}},
                   "restflow": {"retrieve": {32: [measurement(17000, rss_mib=20)]},
                                "list": {32: [measurement(2000, rss_mib=40)]}}}
        timings = {"rows": [{"spec": "generated, 1000 resources", "bytes": 1, "check_s": 0.2,
                             "check_error": None, "build_s": 0.5, "build_error": None}]}
        text = report.markdown(self.summary(results, timings=timings))
        self.assertIn("| retrieve | 32 | 170.00× | — | — | 0.85× |", text)
        self.assertIn("- retrieve at 32 conns: 0.85× nginx static (target ≥ 0.8×): met", text)
        self.assertIn("- list at 32 conns: 40.00× DRF (target ≥ 50×): MISSED", text)
        self.assertIn("- p99 at 32 conns, list: 4.00 ms (target < 5 ms): met", text)
        self.assertIn("- peak RSS under load: 40.0 MiB (target < 32 MiB): MISSED", text)
        self.assertIn("- rflowc build, 1,000 resources: 0.500 s (target < 1 s): met", text)
        # Fastify and Ulfius were not in this run: no verdict on them
        self.assertIn("- ahead of Fastify everywhere: not measured in this run", text)
        self.assertIn("- ahead of Ulfius (C) everywhere: not measured in this run", text)

    def test_readme_section_is_replaced_in_place(self):
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "bench-readme-test.md")
        with open(path, "w") as f:
            f.write("intro\n%s\nold\n%s\nafter\n" % (report.README_BEGIN, report.README_END))
        report.update_readme(path, "new table\n")
        with open(path) as f:
            self.assertEqual(f.read(), "intro\n%s\n\nnew table\n\n%s\nafter\n"
                             % (report.README_BEGIN, report.README_END))
        os.remove(path)


class PostgresCopyTest(unittest.TestCase):
    def test_null_is_unquoted_and_text_is_always_quoted(self):
        self.assertEqual([pg._csv_field(v) for v in (None, "", 'a"b', 3, 2.5, True)],
                         ["", '""', '"a""b"', "3", "2.5", "True"])


class GeneratedSpecTest(unittest.TestCase):
    def generate(self, n):
        return subprocess.run([sys.executable, os.path.join(BENCH, "gen_spec.py"),
                               "--resources", str(n)], capture_output=True, text=True,
                              check=True).stdout

    def test_same_arguments_same_bytes(self):
        self.assertEqual(self.generate(25), self.generate(25))

    def test_declares_what_it_says(self):
        text = self.generate(1000)
        self.assertEqual(text.count("\nresource Item"), 1000)
        self.assertEqual(text.count("\nviewset Items"), 1000)
        self.assertEqual(text.count("\npostfetch Latest"), 99)
        self.assertEqual(text.count('    register("items'), 1000)

    @unittest.skipUnless(os.path.exists(RFLOWC), "rflowc is not built")
    def test_rflowc_accepts_it(self):
        done = subprocess.run([RFLOWC, "check", "-"], input=self.generate(30),
                              capture_output=True, text=True)
        self.assertEqual((done.returncode, done.stdout + done.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
