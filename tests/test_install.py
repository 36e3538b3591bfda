"""An installed wheel finds the query library (shipped as data files under
{prefix}/share/kg/queries), not only a checkout."""

from __future__ import annotations

import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_a_wheel_installed_in_a_fresh_venv_lists_and_runs_the_library(tmp_path):
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheel here (build requirements unavailable): {built.stderr.strip()[-200:]}")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # kg's dependencies come from the running environment through a .pth file; kg itself only from the wheel.
    new_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dependencies = [path for path in site.getsitepackages() if Path(path).is_dir()]
    (Path(new_site) / "kg-test-dependencies.pth").write_text("\n".join(dependencies) + "\n")
    (wheel,) = wheels.glob("kg-*.whl")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found = subprocess.run(
        [str(python), "-c", "import kg, kg.queries as q; print(kg.__file__); print(q.library_folder())"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert found == [
        str(
            venv
            / "lib"
            / f"python{sys.version_info.major}.{sys.version_info.minor}"
            / "site-packages"
            / "kg"
            / "__init__.py"
        ),
        str(venv / "share" / "kg" / "queries"),
    ]
    listed = subprocess.run([str(venv / "bin" / "kg"), "queries"], cwd=elsewhere, capture_output=True, text=True)
    assert listed.returncode == 0 and "coverage\n  Which provinces" in listed.stdout
    ran = subprocess.run(
        [str(venv / "bin" / "kg"), "query", "counts", "--store", "memory", "--format", "csv"],
        cwd=elsewhere,
        capture_output=True,
    )
    assert ran.returncode == 0 and ran.stdout == b"dimension,key,count\r\n"
