"""The README stays true: its state diagram is what the core does, and it names the two commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_state_diagram_is_current():
    done = subprocess.run([sys.executable, "scripts/state_diagram.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_breathing_frame_in_the_readme_is_what_the_bot_draws():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "docs/breathing-frame.png" in readme
    done = subprocess.run([sys.executable, "scripts/breathing_frame.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_names_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "scripts/run" in readme and "scripts/test" in readme
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "exec scripts/test" in ci


def test_env_example_lists_every_setting():
    from bot.config import Settings

    example = (ROOT / ".env.example").read_text("utf-8")
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in example, name


def test_the_readme_shows_the_example_chart_the_script_draws(tmp_path: Path):
    readme = (ROOT / "README.md").read_text("utf-8")
    assert 'src="docs/patterns-example.png"' in readme and "scripts/patterns_chart.py" in readme
    done = subprocess.run([sys.executable, "scripts/patterns_chart.py", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("patterns-example.png", "patterns-example-nl.png"):
        made, committed = (tmp_path / name).read_bytes(), (ROOT / "docs" / name).read_bytes()
        assert made.startswith(b"\x89PNG") and committed.startswith(b"\x89PNG")
        assert made[16:24] == committed[16:24], name  # the same width and height as the committed example
