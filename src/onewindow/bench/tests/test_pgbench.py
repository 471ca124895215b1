"""The pgbench reference of the submission target: a transaction of the same shape (PostgreSQL)."""

import pytest
from django.db import connection

from onewindow.bench import pgbench
from onewindow.bench.simulate import simulate


@pytest.mark.django_db(transaction=True)
def test_pgbench_runs_a_transaction_of_the_submission_shape(hall, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pgbench needs PostgreSQL")
    simulate(cases=30, years=[2025], seed=2, progress=lambda line: None)
    script = pgbench.script()
    assert script.startswith("BEGIN;") and script.rstrip().endswith("COMMIT;")
    assert script.count('INSERT INTO onewindow_pgbench."cases_applicationmaterial"') == 6
    for table in ("cases_application", "cases_case", "audit_auditevent"):
        assert script.count(f'INSERT INTO onewindow_pgbench."{table}"') == 1
    if pgbench.pgbench_binary() is None:
        pytest.skip("pgbench is not installed")
    result = pgbench.run(clients=2, seconds=1, out=tmp_path)
    assert result["tps"] > 0 and result["failed"] == 0
    assert (tmp_path / "pgbench-submission.sql").exists()
    with connection.cursor() as cursor:  # the scratch schema is gone
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [pgbench.SCHEMA])
        assert cursor.fetchone() is None
