import json

from onewindow.bench.clock import main


def test_the_clock_benchmark_runs_in_quick_mode_and_writes_its_reports(tmp_path):
    assert main(["--quick", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "clock.json").read_text(encoding="utf-8"))
    assert report["size"] == 10_000
    assert report["ours_seconds"] > 0 and report["numpy_busday_offset_seconds"] > 0
    assert "numpy.busday_offset" in (tmp_path / "clock.md").read_text(encoding="utf-8")
