"""`make run` on a taken port says so plainly, in Chinese and English, and starts nothing
(issue 10 item 18)."""

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def taken_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_run_on_a_taken_port_names_it_and_starts_nothing(tmp_path, taken_port):
    env = {**os.environ, "SERVICEDESK_VAR_DIR": str(tmp_path / "var")}
    env.pop("PORT", None)
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "run", f"PORT={taken_port}"],  # noqa: S607
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert f"端口 {taken_port} 已被占用" in said
    assert f"Port {taken_port} is already in use" in said
    assert f"make run PORT={taken_port + 1}" in said
    # nothing was started: no migration, no seed, no honcho
    assert not (tmp_path / "var").exists()
    assert "honcho" not in said and "migrate" not in said


def test_a_port_that_is_no_number_is_refused():
    result = subprocess.run(  # noqa: S603
        ["python3", str(ROOT / "scripts" / "port_check.py"), "80a"],  # noqa: S607
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2
    assert "不是有效端口" in result.stderr and "is not a port number" in result.stderr


def test_a_free_port_passes():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    result = subprocess.run(  # noqa: S603
        ["python3", str(ROOT / "scripts" / "port_check.py"), str(free)],  # noqa: S607
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
