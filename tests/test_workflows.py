"""The GitHub workflows build from the publishers' live data: no snapshot repository is required."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[1] / ".github" / "workflows"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


@pytest.mark.parametrize("name", ["book.yml", "latest-deps.yml"])
def test_snapshot_repository_is_optional(name):
    text = (WORKFLOWS / name).read_text()
    assert "::error::" not in text  # no step that fails for want of a snapshot
    for job_id, step in steps(load(name)):
        if "DATA_SNAPSHOT_REPO" in str(step.get("with", "")):
            assert "DATA_SNAPSHOT_REPO != ''" in step.get("if", ""), (job_id, step)


@pytest.mark.parametrize("name", ["book.yml", "latest-deps.yml"])
def test_data_cache_is_kept_between_runs_keyed_on_the_month(name):
    caches = [(job_id, s) for job_id, s in steps(load(name)) if str(s.get("uses", "")).startswith("actions/cache@")]
    assert caches
    for job_id, step in caches:
        assert step["with"]["path"] == "main/data/cache"
        assert "steps.month.outputs.month" in step["with"]["key"], job_id


def test_unit_tests_run_on_linux_macos_and_windows():
    job = load("book.yml")["jobs"]["unit-tests"]
    assert set(job["strategy"]["matrix"]["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    commands = " ".join(s.get("run", "") for s in job["steps"])
    assert "python -m pip install -r requirements.txt" in commands and "python -m pytest" in commands


def test_pages_deploy_needs_the_tests_and_the_browser_build():
    jobs = load("book.yml")["jobs"]
    assert set(jobs["deploy"]["needs"]) == {"unit-tests", "build"}
    assert any("main/.ci/run" in s.get("run", "") for s in jobs["build"]["steps"])
