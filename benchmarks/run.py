"""`make bench`: seed both data sizes in a throw-away test database (on PostgreSQL when DATABASE_URL points to
it; `test_<name>`), measure every operation in benchmarks/ops/ and write var/bench/latest.{json,md}.

Environment: BENCH_SIZES (default "2000,20000"), BENCH_ROUNDS (default 21), BENCH_AGREEMENTS (default 15),
BENCH_ONLY (keep operations whose name or module contains it), BENCH_KEEPDB=1 (reuse the test database).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("TEST_LANGUAGE_CODE", "fi")
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # sign-ins and axes' bookkeeping would drown the table
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from benchmarks import harness

    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "2000,20000").split(",") if s.strip()]
    rounds = int(os.environ.get("BENCH_ROUNDS", harness.ROUNDS))
    agreements = int(os.environ.get("BENCH_AGREEMENTS", harness.AGREEMENTS))
    keepdb = os.environ.get("BENCH_KEEPDB") == "1"
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keepdb)
    try:
        report = harness.run(sizes=sizes, rounds=rounds, agreements=agreements,
                             out_dir=Path(settings.BASE_DIR) / "var" / "bench", only=os.environ.get("BENCH_ONLY", ""))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=keepdb)
        teardown_test_environment()
    print()
    print(report["table"])
    print(f"\nwritten: var/bench/latest.json, var/bench/latest.md ({report['database']}, {report['machine']})")
    over = [name for name, by_size in report["operations"].items()
            if any(isinstance(r, dict) and r.get("over_query_limit") for r in by_size.values())]
    if over:
        print(f"over their query limit: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
